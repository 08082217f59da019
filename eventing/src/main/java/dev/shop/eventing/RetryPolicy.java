package dev.shop.eventing;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;

/**
 * When a consumer tries a failed delivery again, and when it gives up and dead-letters it. Pure (no
 * clock, no randomness of its own), so every branch is unit-tested.
 *
 * <p>Two kinds of failure, two budgets:
 * <ul>
 *   <li><b>outage</b>: the database or the broker is unreachable, restarting or not answering (connection
 *   refused or reset, PostgreSQL's {@code 57P0x} shutdown/start-up states and {@code 08xxx} connection
 *   errors, a transaction attempt that timed out). The message is not at fault: dead-lettering it would
 *   stall its order until an operator replays it. It is tried again with a backoff growing to
 *   {@code outage-max-backoff} for as long as {@code outage-budget} since its first failure;</li>
 *   <li><b>anything else</b> (a conflict, a bug, a constraint): at most {@code max-attempts} attempts with a
 *   backoff growing to {@code max-backoff}, then the dead-letter queue with the last error.</li>
 * </ul>
 * Poison messages never get here: they are dead-lettered on their first failure.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter,
                          Duration outageBudget, Duration outageMaxBackoff) {

    /** PostgreSQL states of a server that is going away, starting or full, not of the statement. */
    private static final Set<String> OUTAGE_STATES = Set.of("57P01", "57P02", "57P03", "53300");

    public static RetryPolicy of(EventingConfig.Consumer c) {
        return new RetryPolicy(c.maxAttempts(), c.initialBackoff(), c.maxBackoff(), c.jitter(), c.outageBudget(), c.outageMaxBackoff());
    }

    /** Failures so far of one delivery: how many, how many of them were not outages, since when. */
    public record Attempts(int failures, int ordinaryFailures, long firstFailureNanos) {
        public static Attempts none() {
            return new Attempts(0, 0, 0);
        }

        public Attempts failed(boolean outage, long nowNanos) {
            return new Attempts(failures + 1, ordinaryFailures + (outage ? 0 : 1), failures == 0 ? nowNanos : firstFailureNanos);
        }
    }

    /**
     * @param failure  what the attempt just failed with
     * @param after    the failures including this one
     * @param nowNanos the caller's monotonic clock
     * @param random   uniform in [0, 1), for the jitter
     * @return how long to wait before the next attempt, or empty to dead-letter now
     */
    public Optional<Duration> next(Throwable failure, Attempts after, long nowNanos, DoubleSupplier random) {
        if (failure instanceof PoisonEventException) {
            return Optional.empty();
        }
        boolean outage = isOutage(failure);
        if (outage) {
            if (Duration.ofNanos(nowNanos - after.firstFailureNanos()).compareTo(outageBudget) >= 0) {
                return Optional.empty();
            }
        } else if (after.ordinaryFailures() >= maxAttempts) {
            return Optional.empty();
        }
        return Optional.of(backoff(after.failures(), outage ? outageMaxBackoff : maxBackoff, random.getAsDouble()));
    }

    /** {@code initial x 2^(n-1)}, capped, then spread by +-jitter so that many consumers do not retry in step. */
    Duration backoff(int failures, Duration cap, double random) {
        long initial = Math.max(1, initialBackoff.toMillis());
        long base = Math.min(cap.toMillis(), initial << Math.min(30, Math.max(0, failures - 1)));
        double spread = 1 - jitter + 2 * jitter * random;
        return Duration.ofMillis(Math.max(1, Math.round(base * spread)));
    }

    /** Whether the failure (or anything in its cause chain) says the database or broker is unreachable. */
    public static boolean isOutage(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 16; t = t.getCause(), depth++) {
            if (t instanceof TimeoutException || t instanceof IOException || t instanceof io.vertx.sqlclient.ClosedConnectionException) {
                return true;
            }
            if (t instanceof io.vertx.pgclient.PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || OUTAGE_STATES.contains(pg.getSqlState()))) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && t.getClass().getName().startsWith("io.vertx.")
                    && (message.contains("Connection was closed") || message.contains("Connection refused")
                    || message.contains("Pool closed") || message.contains("Timeout"))) {
                return true;
            }
        }
        return false;
    }
}
