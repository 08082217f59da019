package dev.shop.system.bench;

import dev.shop.eventing.testing.Tokens;
import dev.shop.system.ShopSystem;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What the correctness monitor costs: with the load stopped, CPU of every service and PostgreSQL
 * process (from /proc, user + system) over {@code runs} back-to-back monitor runs, minus the same
 * processes' idle CPU over the same wall time, divided by the default period (60 s): the share of one
 * core the monitor takes in steady state. After a benchmark each run judges a full re-verification slice
 * (5,000 orders by default), which is what every period costs once the lookback window is full.
 */
final class MonitorCost {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux
    private static final double DEFAULT_PERIOD_SECONDS = 60;

    private MonitorCost() {
    }

    static String measure(ShopSystem system, HttpClient http, int runs) throws Exception {
        List<Long> pids = new ArrayList<>();
        for (String svc : ShopSystem.PORTS.keySet()) {
            pids.add(system.pid(svc));
        }
        pids.addAll(postgresPids());
        long idleStart = System.nanoTime();
        long idleCpu0 = cpuTicks(pids);
        Thread.sleep(10_000);
        double idlePerSecond = (cpuTicks(pids) - idleCpu0) / ((System.nanoTime() - idleStart) / 1e9);

        long start = System.nanoTime();
        long cpu0 = cpuTicks(pids);
        int judged = 0;
        for (int i = 0; i < runs; i++) {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(ShopSystem.url("order") + "/api/v1/ops/correctness/runs"))
                    .header("authorization", "Bearer " + Tokens.admin()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                throw new IllegalStateException("monitor run -> " + res.statusCode() + " " + res.body());
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = ((cpuTicks(pids) - cpu0) - idlePerSecond * wall) / TICKS_PER_SECOND;
        double perRun = Math.max(0, cpuSeconds / runs);
        return String.format(Locale.ROOT, "correctness monitor: %d runs in %.1f s; %.0f ms CPU per run (services + PostgreSQL, idle subtracted)"
                        + " = %.2f%% of one core at the default 60 s period", runs, wall, perRun * 1000, 100 * perRun / DEFAULT_PERIOD_SECONDS);
    }

    private static List<Long> postgresPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (Files.readString(p.resolve("comm")).trim().startsWith("postgres")) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited meanwhile
                }
            }
        }
        return pids;
    }

    /** utime + stime of the processes, in clock ticks (a process that exited counts 0). */
    private static long cpuTicks(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
            } catch (IOException | RuntimeException gone) {
                // exited
            }
        }
        return total;
    }
}
