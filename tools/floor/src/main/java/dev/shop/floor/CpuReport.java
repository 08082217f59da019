package dev.shop.floor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU per completed order, by process group and rate, as Markdown tables; and the ratio of two runs
 * (shop / floor). Groups whose name starts with {@value #LOAD_PREFIX} are the load generator: shown,
 * but not part of the system total (services + broker + database) the targets are about.
 */
public final class CpuReport {

    public static final String LOAD_PREFIX = "load generator";

    /** CPU of every group over one measured window at one offered rate. */
    public record Sample(int rate, long completed, double seconds, Map<String, Double> cpuMillis) {

        public double perOrder(String group) {
            return completed == 0 ? Double.NaN : cpuMillis.getOrDefault(group, 0.0) / completed;
        }

        /** Services + broker + database: every group but the load generator. */
        public double systemPerOrder() {
            return completed == 0 ? Double.NaN : cpuMillis.entrySet().stream().filter(e -> !e.getKey().startsWith(LOAD_PREFIX))
                    .mapToDouble(Map.Entry::getValue).sum() / completed;
        }

        public double allPerOrder() {
            return completed == 0 ? Double.NaN : cpuMillis.values().stream().mapToDouble(Double::doubleValue).sum() / completed;
        }

        /** Share of the machine's cores used by everything measured, in % of one core. */
        public double percentOfCore() {
            return seconds <= 0 ? Double.NaN : cpuMillis.values().stream().mapToDouble(Double::doubleValue).sum() / seconds / 10.0;
        }
    }

    private CpuReport() {
    }

    public static String table(List<Sample> samples) {
        Set<String> groups = new LinkedHashSet<>();
        samples.forEach(s -> groups.addAll(s.cpuMillis().keySet()));
        StringBuilder out = new StringBuilder("| offered orders/s | completed | window s | ");
        groups.forEach(g -> out.append(g).append(" | "));
        out.append("**services + broker + PostgreSQL** | all incl. load | % of one core (all) |\n|");
        out.append("---|".repeat(groups.size() + 6)).append('\n');
        for (Sample s : samples) {
            out.append(String.format(Locale.ROOT, "| %d | %d | %.1f | ", s.rate(), s.completed(), s.seconds()));
            groups.forEach(g -> out.append(String.format(Locale.ROOT, "%.2f | ", s.perOrder(g))));
            out.append(String.format(Locale.ROOT, "**%.2f** | %.2f | %.0f |%n", s.systemPerOrder(), s.allPerOrder(), s.percentOfCore()));
        }
        return out.append("(ms of CPU per completed order; user + system time from /proc)\n").toString();
    }

    /**
     * shop / floor per rate: the system total and, where both runs have a group of that name (the
     * broker, PostgreSQL), that group alone.
     */
    public static String ratio(List<Sample> shop, List<Sample> floor) {
        StringBuilder out = new StringBuilder("| offered orders/s | shop ms/order | floor ms/order | **shop / floor** | broker shop/floor | PostgreSQL shop/floor |\n|---|---|---|---|---|---|\n");
        for (Sample s : shop) {
            Sample f = floor.stream().filter(x -> x.rate() == s.rate()).findFirst().orElse(null);
            if (f == null) {
                continue;
            }
            out.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f | **%.2f** | %s | %s |%n", s.rate(), s.systemPerOrder(), f.systemPerOrder(),
                    s.systemPerOrder() / f.systemPerOrder(), groupRatio(s, f, "broker"), groupRatio(s, f, "PostgreSQL")));
        }
        return out.toString();
    }

    private static String groupRatio(Sample s, Sample f, String prefix) {
        String sg = s.cpuMillis().keySet().stream().filter(g -> g.startsWith(prefix)).findFirst().orElse(null);
        String fg = f.cpuMillis().keySet().stream().filter(g -> g.startsWith(prefix)).findFirst().orElse(null);
        if (sg == null || fg == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f (%.2f / %.2f)", s.perOrder(sg) / f.perOrder(fg), s.perOrder(sg), f.perOrder(fg));
    }

    /**
     * CPU of every group over {@code seconds} with no orders running, in ms per second: what the
     * processes do anyway (timers, health checks, another tenant's use of the shared broker and database).
     */
    public static String background(ProcCpu cpu, int seconds) throws InterruptedException {
        Map<String, Long> before = cpu.snapshot();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        Map<String, Double> ms = ProcCpu.millisBetween(before, cpu.snapshot());
        double wall = (System.nanoTime() - t0) / 1e9;
        StringBuilder out = new StringBuilder("background CPU with no orders for " + seconds + " s (ms per second):");
        ms.forEach((g, v) -> out.append(String.format(Locale.ROOT, " %s %.1f;", g, v / wall)));
        return out.toString();
    }

    /** One line per rate and group: rate, completed, seconds, group, CPU ms (tab-separated). */
    public static void write(Path file, List<Sample> samples) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Sample s : samples) {
            s.cpuMillis().forEach((g, ms) -> lines.add(String.format(Locale.ROOT, "%d\t%d\t%.3f\t%s\t%.1f", s.rate(), s.completed(), s.seconds(), g, ms)));
        }
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.write(file, lines);
    }

    public static List<Sample> read(Path file) throws IOException {
        Map<Integer, Sample> byRate = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            int rate = Integer.parseInt(f[0]);
            Sample s = byRate.computeIfAbsent(rate, r -> new Sample(r, Long.parseLong(f[1]), Double.parseDouble(f[2]), new LinkedHashMap<>()));
            s.cpuMillis().put(f[3], Double.parseDouble(f[4]));
        }
        return new ArrayList<>(byRate.values());
    }
}
