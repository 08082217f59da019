package dev.shop.system.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Secrets;
import dev.shop.floor.CpuReport;
import dev.shop.floor.Floor;
import dev.shop.floor.ProcCpu;
import dev.shop.floor.WorkCounters;
import dev.shop.system.ShopSystem;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import dev.shop.eventing.testing.Tokens;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-loop benchmark (not a test): places orders at a fixed rate, regardless of how fast the system
 * answers (no coordinated omission), and measures placement -> terminal latency per order as
 * {@code order.confirmed|cancelled.time - order.createdAt} (both server clocks on this machine),
 * read from a tap queue on the broker. Reports completed orders/s, p50/p99/max, each service's RSS,
 * and CPU milliseconds per completed order of every process involved (each service, the broker,
 * PostgreSQL, this load generator; {@link ProcCpu}), per rate; plus the work per order PostgreSQL and
 * RabbitMQ counted themselves ({@link WorkCounters}). The CPU figures also go to a file, which
 * {@code ./shop bench --floor --compare} reads to print shop / floor (docs/benchmark.md).
 *
 * Usage: ./shop bench [--rates 30,45,60] [--duration 60] [--warmup 180] [--cpu-out FILE] [--no-monitor-cost]
 */
public final class Benchmark {

    private static final ObjectMapper JSON = BrokerClient.JSON;
    private static final String TAP = "bench.tap";
    private static final int SKUS = 20;
    private static final int CUSTOMERS = 20;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    record Result(int rate, int seconds, int placed, int shed, int placeErrors, int finished, int confirmed, int timedOut, double completedPerSec,
                  long p50, long p99, long max, Map<String, Long> rssMib, CpuReport.Sample cpu) {
    }

    private static final String BENCH_DATABASES = "^shop_(order|inventory|billing|notification)_bench$";

    public static void main(String[] args) {
        // Exit in every case: the services' processes, the HTTP client's pool and the tap keep
        // non-daemon threads, so a failure (a service that does not start) would otherwise hang here.
        try {
            run(args);
        } catch (Throwable failure) {
            failure.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        List<Integer> rates = List.of(30, 45, 60);
        int seconds = 60;
        // Long on purpose: four JVMs' JIT compilers share two cores with the load (docs/benchmark.md).
        int warmup = 180;
        boolean monitorCost = true;
        boolean analyze = false;
        Path cpuOut = Path.of(System.getProperty("shop.root", ".")).resolve("system-tests/target/bench-cpu.tsv");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rates" -> rates = java.util.Arrays.stream(args[++i].split(",")).map(Integer::parseInt).toList();
                case "--duration" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--cpu-out" -> cpuOut = Path.of(args[++i]);
                case "--no-monitor-cost" -> monitorCost = false;
                case "--analyze" -> analyze = true;
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --rates 50,100 --duration 30)");
            }
        }
        System.out.println("machine load before: " + Floor.loadAverage() + "; JVM options of the services: "
                + System.getenv().getOrDefault("SHOP_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC (default)"));
        ShopSystem system = ShopSystem.get();
        BrokerClient broker = new BrokerClient(ShopSystem.VHOST);
        ProcCpu cpu = accounting(system);
        Map<String, Long> work0 = work();
        int placedAll = 0;
        // Only the terminal events: the tap is read through the management API, which must not become
        // a load of its own (five extra deliveries per order if it took every event).
        broker.declareTap(TAP, "order.confirmed", "order.cancelled");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newFixedThreadPool(8)).build();
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (int s = 0; s < SKUS; s++) {
            put(http, ShopSystem.url("inventory") + "/api/v1/products/B-" + run + "-" + s, "{\"name\":\"bench\",\"price\":1.00,\"available\":100000000}");
        }
        for (int c = 0; c < CUSTOMERS; c++) {
            put(http, ShopSystem.url("billing") + "/api/v1/accounts/b-" + run + "-" + c, "{\"credit\":99999999.00}");
        }
        System.out.println("warming up (JIT) at 20 orders/s for " + warmup + " s, then " + rates + " orders/s for " + seconds + " s each ...");
        placedAll += runAt("warm-up", 20, warmup, http, broker, null, null, run).placed;
        if (analyze) {
            analyzeBenchDatabases();
        }
        System.out.println(CpuReport.background(cpu, 10));
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < rates.size(); i++) {
            String label = "rate " + rates.get(i) + "/s (" + (i + 1) + " of " + rates.size() + ")";
            System.out.println(label + " for " + seconds + " s ...");
            Result r = runAt(label, rates.get(i), seconds, http, broker, system, cpu, run);
            placedAll += r.placed;
            results.add(r);
        }
        System.out.println("machine load after: " + Floor.loadAverage());
        Thread.sleep(6000); // the management API's message figures are sampled every 5 s
        Map<String, Long> work1 = work();
        System.out.println();
        System.out.println("| offered orders/s | duration s | placed | shed (503) | errors | finished | confirmed | timed out | completed orders/s | p50 ms | p99 ms | max ms | RSS MiB order/inventory/billing/notification |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %d | %.1f | %d | %d | %d | %s |%n", r.rate, r.seconds, r.placed, r.shed, r.placeErrors,
                    r.finished, r.confirmed, r.timedOut, r.completedPerSec, r.p50, r.p99, r.max,
                    r.rssMib.get("order") + "/" + r.rssMib.get("inventory") + "/" + r.rssMib.get("billing") + "/" + r.rssMib.get("notification"));
        }
        System.out.println();
        System.out.println("CPU per completed order (ms; " + ProcCpu.TICKS_PER_SECOND + " ticks/s from /proc; window = placing + draining):");
        List<CpuReport.Sample> samples = results.stream().map(Result::cpu).toList();
        System.out.print(CpuReport.table(samples));
        CpuReport.write(cpuOut, samples);
        System.out.println("(CPU figures written to " + cpuOut + ")");
        System.out.println();
        System.out.println("Work per order placed (" + placedAll + " orders incl. warm-up), from PostgreSQL's and RabbitMQ's own statistics:");
        System.out.print(WorkCounters.perOrder(work0, work1, placedAll));
        System.out.println();
        if (monitorCost) {
            System.out.println(MonitorCost.measure(system, http, 5));
        }
    }

    /** Each service, the broker, PostgreSQL (postmaster and all its children) and this JVM. */
    private static ProcCpu accounting(ShopSystem system) throws Exception {
        ProcCpu cpu = new ProcCpu();
        for (String svc : ShopSystem.PORTS.keySet()) {
            long pid = system.pid(svc);
            cpu.group(svc + "-svc", () -> List.of(pid));
        }
        long rabbit = ProcCpu.rabbitMq().orElseThrow(() -> new IllegalStateException("no RabbitMQ (beam.smp) process on this machine"));
        long postmaster = Floor.postmaster(PG_SERVER, PG_USER);
        long self = ProcCpu.self();
        return cpu.group("broker (beam.smp)", () -> List.of(rabbit))
                .ticks("PostgreSQL (bench databases' backends + shared)", ProcCpu.postgres(postmaster, db -> db.matches(BENCH_DATABASES)))
                .group(CpuReport.LOAD_PREFIX + " (benchmark JVM)", () -> List.of(self));
    }

    private static final String PG_SERVER = "jdbc:postgresql://" + System.getenv().getOrDefault("PGHOST", "127.0.0.1") + ":"
            + System.getenv().getOrDefault("PGPORT", "5432");
    private static final String PG_USER = System.getenv().getOrDefault("PG_SUPERUSER", "postgres");

    /**
     * {@code --analyze}: what autovacuum's auto-analyze does on a production server, once, after the
     * warm-up. This machine's PostgreSQL runs with {@code autovacuum = off}, so the services' tables are
     * never analyzed and the planner guesses: as the outbox grows, order-svc's relay read ~10,000 outbox rows
     * per order by sequential scan (docs/benchmark.md, session 7).
     */
    private static void analyzeBenchDatabases() throws Exception {
        long started = System.nanoTime();
        List<String> databases = new ArrayList<>();
        try (var c = java.sql.DriverManager.getConnection(PG_SERVER + "/postgres", PG_USER, null); var st = c.createStatement();
             var rs = st.executeQuery("select datname from pg_database where datname ~ '" + BENCH_DATABASES + "'")) {
            while (rs.next()) {
                databases.add(rs.getString(1));
            }
        }
        for (String db : databases) {
            try (var c = java.sql.DriverManager.getConnection(PG_SERVER + "/" + db, PG_USER, null); var st = c.createStatement()) {
                st.execute("analyze");
            }
        }
        System.out.printf(Locale.ROOT, "analyzed %s in %d ms (as autovacuum would have; this server runs without it)%n", databases,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    private static Map<String, Long> work() throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>(WorkCounters.postgres(PG_SERVER, PG_USER, BENCH_DATABASES));
        out.putAll(WorkCounters.rabbit(System.getProperty("shop.rabbit.api", "http://127.0.0.1:15672/api"),
                // shop-admin: the tests' user (tag monitoring) is refused the vhost's message totals on RabbitMQ 3.10.
                Secrets.get("rabbitmq-admin.env", "RABBIT_ADMIN_USER"), Secrets.get("rabbitmq-admin.env", "RABBIT_ADMIN_PASS"), ShopSystem.VHOST));
        return out;
    }

    private static Result runAt(String label, int rate, int seconds, HttpClient http, BrokerClient broker, ShopSystem system, ProcCpu cpu,
                                String run) throws Exception {
        broker.purge(TAP);
        Map<String, Long> cpuBefore = cpu == null ? null : cpu.snapshot();
        long windowStart = System.nanoTime();
        Map<String, Instant> placedAt = new ConcurrentHashMap<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger shed = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        int total = rate * seconds;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long periodNanos = 1_000_000_000L / rate;
        ticker.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            String customer = "b-" + run + "-" + (n % CUSTOMERS);
            String body = "{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"B-" + run + "-" + (n % SKUS) + "\",\"quantity\":1}]}";
            http.sendAsync(HttpRequest.newBuilder(URI.create(ShopSystem.url("order") + "/api/v1/orders"))
                            .header("authorization", "Bearer " + Tokens.customer(customer))
                            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString())
                    .whenComplete((res, err) -> {
                        if (err == null && res.statusCode() == 503) {
                            shed.incrementAndGet(); // load shedding (ADR 0006): refused, nothing placed
                            return;
                        }
                        if (err != null || res.statusCode() != 202) {
                            errors.incrementAndGet();
                            return;
                        }
                        try {
                            JsonNode o = JSON.readTree(res.body());
                            placedAt.put(o.path("id").asText(), Instant.parse(o.path("createdAt").asText()));
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);

        Map<String, Instant> finishedAt = new ConcurrentHashMap<>();
        AtomicInteger confirmed = new AtomicInteger();
        AtomicInteger timedOut = new AtomicInteger();
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(seconds + 60L).toNanos();
        long nextProgress = started + PROGRESS_EVERY.toNanos();
        Map<String, Long> rss = new java.util.TreeMap<>();
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextProgress) {
                nextProgress += PROGRESS_EVERY.toNanos();
                // Where a long run is: sent of total, what the services accepted, refused and finished so far.
                System.out.printf(Locale.ROOT, "  [%s] %3d s of %d: sent %d/%d, placed %d, shed %d, errors %d, finished %d%n", label,
                        Duration.ofNanos(System.nanoTime() - started).toSeconds(), seconds, Math.min(sent.get(), total), total,
                        placedAt.size(), shed.get(), errors.get(), finishedAt.size());
            }
            for (BrokerClient.Received r : broker.take(TAP, 2000)) {
                JsonNode e = r.json();
                String type = e.path("type").asText();
                if (type.equals("order.confirmed") || type.equals("order.cancelled")) {
                    finishedAt.put(e.path("subject").asText(), Instant.parse(e.path("time").asText()));
                    if (type.equals("order.confirmed")) {
                        confirmed.incrementAndGet();
                    } else if ("TIMEOUT".equals(e.path("data").path("reason").asText())) {
                        timedOut.incrementAndGet();
                    }
                }
            }
            if (system != null && sent.get() >= total / 2 && rss.isEmpty()) {
                for (String svc : ShopSystem.PORTS.keySet()) {
                    rss.put(svc, system.rssKib(svc) / 1024);
                }
            }
            if (sent.get() >= total && placedAt.size() + errors.get() + shed.get() >= total && finishedAt.keySet().containsAll(placedAt.keySet())) {
                break;
            }
            // Latency comes from the events' own timestamps, so a slow poll does not skew it; each
            // management-API read opens a connection inside the broker, so poll gently.
            Thread.sleep(500);
        }
        ticker.shutdownNow();
        Map<String, Long> cpuAfter = cpu == null ? null : cpu.snapshot();
        double windowSeconds = (System.nanoTime() - windowStart) / 1e9;
        List<Long> latencies = new ArrayList<>();
        Instant first = Instant.MAX;
        Instant last = Instant.MIN;
        for (var e : placedAt.entrySet()) {
            Instant end = finishedAt.get(e.getKey());
            if (end == null) {
                continue;
            }
            latencies.add(Duration.between(e.getValue(), end).toMillis());
            first = e.getValue().isBefore(first) ? e.getValue() : first;
            last = end.isAfter(last) ? end : last;
        }
        Collections.sort(latencies);
        int finished = latencies.size();
        double completedPerSec = finished == 0 ? 0 : finished / (Duration.between(first, last).toMillis() / 1000.0);
        Result result = new Result(rate, seconds, placedAt.size(), shed.get(), errors.get(), finished, confirmed.get(), timedOut.get(), completedPerSec,
                pct(latencies, 0.50), pct(latencies, 0.99), latencies.isEmpty() ? -1 : latencies.get(finished - 1), rss,
                cpu == null ? null : new CpuReport.Sample(rate, finished, windowSeconds, ProcCpu.millisBetween(cpuBefore, cpuAfter)));
        System.out.printf(Locale.ROOT, "rate %d/s: placed %d, shed %d, errors %d, finished %d (%d confirmed, %d timed out), %.1f completed/s, p50 %d ms, p99 %d ms, max %d ms, RSS MiB %s%n",
                rate, result.placed, result.shed, result.placeErrors, finished, result.confirmed, result.timedOut, completedPerSec, result.p50, result.p99, result.max, rss);
        if (result.cpu != null) {
            System.out.printf(Locale.ROOT, "rate %d/s: %.2f ms CPU per completed order (services + broker + PostgreSQL), %.2f incl. the load generator%n",
                    rate, result.cpu.systemPerOrder(), result.cpu.allPerOrder());
        }
        return result;
    }

    private static long pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void put(HttpClient http, String url, String body) throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .header("authorization", "Bearer " + Tokens.admin())
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 300) {
            throw new IllegalStateException("PUT " + url + " -> " + res.statusCode() + " " + res.body());
        }
    }
}
