package dev.shop.chaos;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The run's table: orders by outcome, effects, invariant verdicts, faults by kind and their latency cost. */
public final class Report {

    private Report() {
    }

    public static String render(Options o, State s, Map<Integer, LoadDriver.Placement> placements, List<Faults.Injected> faults,
                                List<Checker.Finding> findings, Duration loadTook) {
        StringBuilder out = new StringBuilder();
        Map<LoadDriver.Outcome, Integer> outcomes = new EnumMap<>(LoadDriver.Outcome.class);
        placements.values().forEach(p -> outcomes.merge(p.outcome(), 1, Integer::sum));
        long confirmed = s.orders.values().stream().filter(x -> x.status().equals("CONFIRMED")).count();
        Map<String, Integer> cancelled = new TreeMap<>();
        s.orders.values().stream().filter(x -> x.status().equals("CANCELLED")).forEach(x -> cancelled.merge(String.valueOf(x.reason()), 1, Integer::sum));
        long stuck = s.orders.values().stream().filter(x -> !x.status().equals("CONFIRMED") && !x.status().equals("CANCELLED")).count();
        Map<String, Integer> byCheck = new LinkedHashMap<>();
        findings.forEach(f -> byCheck.merge(f.check(), 1, Integer::sum));
        long lost = byCheck.getOrDefault("accepted_not_lost", 0);
        long duplicated = byCheck.getOrDefault("effects_once", 0) + byCheck.getOrDefault("sold_once", 0) + byCheck.getOrDefault("events_not_duplicated", 0);
        int retried = (int) placements.values().stream().filter(p -> p.attempts() > 1).count();

        out.append(String.format(Locale.ROOT, "%n## chaos run: seed %d, %d orders at %.1f/s (load %d s), faults %s%n%n", o.seed(), o.orders(), o.rate(),
                loadTook.toSeconds(), faults.size()));
        out.append("| metric | value |\n|---|---|\n");
        row(out, "orders placed (sent)", placements.size());
        row(out, "accepted (202)", outcomes.getOrDefault(LoadDriver.Outcome.ACCEPTED, 0));
        row(out, "shed (503)", outcomes.getOrDefault(LoadDriver.Outcome.SHED, 0));
        row(out, "refused (other 4xx)", outcomes.getOrDefault(LoadDriver.Outcome.REFUSED, 0));
        row(out, "unknown after 3 attempts", outcomes.getOrDefault(LoadDriver.Outcome.UNKNOWN, 0));
        row(out, "placements retried (same Idempotency-Key)", retried);
        row(out, "orders in order-svc", s.orders.size());
        row(out, "confirmed", confirmed);
        for (var c : cancelled.entrySet()) {
            row(out, "cancelled " + c.getKey(), c.getValue());
        }
        row(out, "lost", lost);
        row(out, "duplicated effects", duplicated);
        row(out, "stuck (not terminal)", stuck);
        row(out, "dead letters (replayed)", s.deadLetters.size());
        row(out, "callbacks received (POSTs)", s.callbacksReceived.values().stream().mapToInt(List::size).sum());
        row(out, "restarts by the startup/liveness probes", s.livenessRestarts.isEmpty() ? "0"
                : s.livenessRestarts.size() + " (" + String.join(", ", s.livenessRestarts) + ")");
        row(out, "invariant violations", findings.size());

        out.append("\n| fault | scheduled | injected | failed | orders placed meanwhile | p50 ms | p99 ms | max ms | timed out |\n|---|---|---|---|---|---|---|---|---|\n");
        Map<FaultKind, List<Faults.Injected>> byKind = new EnumMap<>(FaultKind.class);
        faults.forEach(f -> byKind.computeIfAbsent(f.fault().kind(), k -> new ArrayList<>()).add(f));
        List<State.Order> accepted = s.orders.values().stream().filter(x -> !x.status().equals("PENDING")).toList();
        for (var e : byKind.entrySet()) {
            List<State.Order> during = accepted.stream().filter(x -> e.getValue().stream().anyMatch(f -> within(x.createdAt(), f))).toList();
            latencyRow(out, e.getKey().cli, e.getValue().size(), (int) e.getValue().stream().filter(Faults.Injected::ok).count(),
                    (int) e.getValue().stream().filter(f -> !f.ok()).count(), during);
        }
        List<State.Order> calm = accepted.stream().filter(x -> faults.stream().noneMatch(f -> within(x.createdAt(), f))).toList();
        latencyRow(out, "(none active)", 0, 0, 0, calm);

        out.append("\n| check | result | what must hold |\n|---|---|---|\n");
        int passed = 0;
        int failed = 0;
        for (var c : Checker.CHECKS.entrySet()) {
            int n = byCheck.getOrDefault(c.getKey(), 0);
            out.append("| ").append(c.getKey()).append(" | ").append(n == 0 ? "pass" : "FAIL (" + n + ")").append(" | ").append(c.getValue()).append(" |\n");
            if (n == 0) {
                passed++;
            } else {
                failed++;
            }
        }
        if (!findings.isEmpty()) {
            out.append("\nviolations (first 50):\n");
            findings.stream().limit(50).forEach(f -> out.append("  ").append(f).append('\n'));
        }
        out.append(String.format(Locale.ROOT, "%n%d passed, %d failed%n", passed, failed));
        return out.toString();
    }

    /** Orders created while the fault held, or within 5 s after it healed. */
    private static boolean within(Instant t, Faults.Injected f) {
        return !t.isBefore(f.start()) && !t.isAfter(f.healed().plusSeconds(5));
    }

    private static void latencyRow(StringBuilder out, String name, int scheduled, int ok, int failed, List<State.Order> orders) {
        List<Long> ms = new ArrayList<>();
        orders.forEach(x -> ms.add(Duration.between(x.createdAt(), x.updatedAt()).toMillis()));
        Collections.sort(ms);
        long timedOut = orders.stream().filter(x -> "TIMEOUT".equals(x.reason())).count();
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %s | %s | %s | %d |%n", name, scheduled == 0 && ok == 0 ? "-" : scheduled,
                scheduled == 0 && ok == 0 ? "-" : ok, scheduled == 0 && ok == 0 ? "-" : failed, orders.size(), pct(ms, 0.5), pct(ms, 0.99),
                ms.isEmpty() ? "-" : ms.get(ms.size() - 1), timedOut));
    }

    private static String pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? "-" : String.valueOf(sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)));
    }

    private static void row(StringBuilder out, String name, long value) {
        row(out, name, String.valueOf(value));
    }

    private static void row(StringBuilder out, String name, String value) {
        out.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }
}
