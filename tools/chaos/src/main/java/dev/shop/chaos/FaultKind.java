package dev.shop.chaos;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** What the nemesis can do; each has a name for {@code --faults} and a range for how long it holds. */
public enum FaultKind {
    /** SIGKILL of one service instance, restarted after the hold. */
    KILL9("kill9", Scope.INSTANCE, 2_000, 10_000),
    /** SIGTERM (graceful stop, in the middle of whatever batch it is consuming), restarted after the hold. */
    SIGTERM("sigterm", Scope.INSTANCE, 2_000, 8_000),
    /** rabbitmqctl stop_app, start_app after the hold. */
    BROKER_STOP_APP("broker-stop", Scope.BROKER, 3_000, 8_000),
    /** kill -9 of the broker's Erlang VM, rabbitmq-server -detached after the hold (quorum queues recover from disk). */
    BROKER_KILL("broker-kill", Scope.BROKER, 1_000, 5_000),
    /** PostgreSQL immediate shutdown (no checkpoint: crash recovery at start), started after the hold. */
    PG_RESTART("pg-restart", Scope.DATABASE, 2_000, 8_000),
    /** A burst of concurrent API reads on one instance, well beyond its database pool (max-size 20). */
    POOL_SPIKE("pool-spike", Scope.INSTANCE, 5_000, 10_000),
    /** Added latency with jitter on one instance's broker or database link. */
    LATENCY("latency", Scope.LINK, 5_000, 15_000),
    /** Bandwidth limit on one instance's broker or database link. */
    BANDWIDTH("bandwidth", Scope.LINK, 5_000, 15_000),
    /** Every TCP connection of one instance's link reset at once (no hold). */
    RESET("reset", Scope.LINK, 0, 0),
    /** Black hole: connections stay open, nothing moves, new ones hang. */
    BLACKHOLE("blackhole", Scope.LINK, 3_000, 12_000),
    /** Both instances of one consumer slowed down (database latency) long enough for its queue to back up. */
    SLOW_CONSUMER("slow-consumer", Scope.SERVICE, 20_000, 30_000);

    public enum Scope { INSTANCE, LINK, SERVICE, BROKER, DATABASE }

    public final String cli;
    public final Scope scope;
    public final long minHoldMs;
    public final long maxHoldMs;

    FaultKind(String cli, Scope scope, long minHoldMs, long maxHoldMs) {
        this.cli = cli;
        this.scope = scope;
        this.minHoldMs = minHoldMs;
        this.maxHoldMs = maxHoldMs;
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(k -> k.cli).toList();
    }

    public static FaultKind of(String name) {
        return Arrays.stream(values()).filter(k -> k.cli.equals(name.trim())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fault kind " + name + " (known: " + String.join(",", names()) + ")"));
    }

    public static Set<FaultKind> parseList(String list) {
        if (list.isBlank() || "all".equals(list)) {
            return EnumSet.allOf(FaultKind.class);
        }
        if ("none".equals(list)) {
            return EnumSet.noneOf(FaultKind.class);
        }
        EnumSet<FaultKind> set = EnumSet.noneOf(FaultKind.class);
        for (String s : list.split(",")) {
            set.add(of(s));
        }
        return set;
    }
}
