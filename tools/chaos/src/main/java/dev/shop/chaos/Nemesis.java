package dev.shop.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The fault schedule: a pure function of the seed and the run's shape, so a seed names a run. Faults
 * overlap freely across resources (a broker stop while an instance is dead and another's database
 * link is black-holed), but never twice on the same resource at once (an instance, a link, the
 * broker, the database), which would make the second one a no-op.
 */
public final class Nemesis {

    public static final List<String> SERVICES = List.of("order", "inventory", "billing", "notification");
    /** The consumers a slow-consumer fault slows down (order-svc's queue too: it is a consumer as well). */
    static final List<String> CONSUMERS = SERVICES;

    /** One fault: start offset from the load's start, what, where, how long until it heals. */
    public record Fault(int index, long atMs, FaultKind kind, String target, long holdMs) {
        public String describe() {
            return String.format("#%02d t=%6.1fs %-13s %-22s hold %5.1fs", index, atMs / 1000.0, kind.cli, target, holdMs / 1000.0);
        }
    }

    private Nemesis() {
    }

    /**
     * @param windowMs     the load's duration; faults start in [5 s, window - 5 s] (they may heal after it)
     * @param meanGapMs    mean time between fault starts
     * @param minPerKind   every enabled kind occurs at least this often
     */
    public static List<Fault> schedule(long seed, long windowMs, Set<FaultKind> kinds, double meanGapMs, int minPerKind) {
        if (kinds.isEmpty()) {
            return List.of();
        }
        Random random = new Random(seed);
        long from = Math.min(5_000, windowMs / 10);
        long to = Math.max(from + 1, windowMs - 5_000);
        int total = Math.max(kinds.size() * minPerKind, (int) ((to - from) / meanGapMs));
        List<FaultKind> order = new ArrayList<>();
        List<FaultKind> sorted = kinds.stream().sorted().toList(); // enum order, not Set iteration order
        for (int i = 0; i < minPerKind; i++) {
            order.addAll(sorted);
        }
        while (order.size() < total) {
            order.add(sorted.get(random.nextInt(sorted.size())));
        }
        Collections.shuffle(order, random);
        List<Long> starts = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            starts.add(from + (long) (random.nextDouble() * (to - from)));
        }
        Collections.sort(starts);
        Map<String, Long> busyUntil = new HashMap<>();
        List<Fault> faults = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            FaultKind kind = order.get(i);
            long hold = kind.minHoldMs + (kind.maxHoldMs > kind.minHoldMs ? (long) (random.nextDouble() * (kind.maxHoldMs - kind.minHoldMs)) : 0);
            String target = target(kind, random);
            long at = starts.get(i);
            // Same resource busy: this fault waits until the earlier one has healed (plus a breath).
            for (String resource : resources(kind, target)) {
                at = Math.max(at, busyUntil.getOrDefault(resource, 0L) + 1_000);
            }
            for (String resource : resources(kind, target)) {
                busyUntil.put(resource, at + hold + recoveryAllowance(kind));
            }
            faults.add(new Fault(0, at, kind, target, hold));
        }
        faults.sort(Comparator.comparingLong(Fault::atMs));
        List<Fault> numbered = new ArrayList<>();
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            numbered.add(new Fault(i + 1, f.atMs(), f.kind(), f.target(), f.holdMs()));
        }
        return numbered;
    }

    /** Instances are "order-0", "order-1", ...; links "order-1/amqp", "billing-0/pg". */
    private static String target(FaultKind kind, Random random) {
        String svc = SERVICES.get(random.nextInt(SERVICES.size()));
        String instance = svc + "-" + random.nextInt(2);
        return switch (kind.scope) {
            case INSTANCE -> kind == FaultKind.POOL_SPIKE ? "order-" + random.nextInt(2) : instance;
            case LINK -> instance + "/" + (random.nextBoolean() ? "amqp" : "pg");
            case SERVICE -> CONSUMERS.get(random.nextInt(CONSUMERS.size()));
            case BROKER -> "broker";
            case DATABASE -> "postgresql";
        };
    }

    /** What a fault occupies while it holds. A restarted instance is busy until it is up again. */
    static List<String> resources(FaultKind kind, String target) {
        return switch (kind.scope) {
            case INSTANCE -> List.of(target.split("/")[0]);
            case LINK -> List.of(target);
            case SERVICE -> List.of(target + "-0/pg", target + "-1/pg");
            case BROKER -> List.of("broker");
            case DATABASE -> List.of("postgresql");
        };
    }

    /** A service instance takes ~15 s to start on this machine, a broker ~10 s: no new fault on it before. */
    private static long recoveryAllowance(FaultKind kind) {
        return switch (kind) {
            case KILL9, SIGTERM -> 15_000;
            case BROKER_KILL, BROKER_STOP_APP -> 10_000;
            case PG_RESTART -> 5_000;
            default -> 0;
        };
    }
}
