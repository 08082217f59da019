package dev.shop.eventing;

import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryPolicyTest {

    private static final long SECOND = 1_000_000_000L;
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2), 0.5,
            Duration.ofMinutes(5), Duration.ofSeconds(10));

    private static PgException pg(String state, String message) {
        return new PgException(message, "FATAL", state, null);
    }

    @Test
    void databaseAndBrokerOutagesAreRecognisedThroughWrappers() {
        assertTrue(RetryPolicy.isOutage(pg("57P03", "the database system is starting up")));
        assertTrue(RetryPolicy.isOutage(pg("57P01", "terminating connection due to administrator command")));
        assertTrue(RetryPolicy.isOutage(pg("08006", "connection failure")));
        assertTrue(RetryPolicy.isOutage(new CompletionException(new IllegalStateException("HR000057", new ConnectException("Connection refused")))));
        assertTrue(RetryPolicy.isOutage(new IOException("Connection reset")));
        assertTrue(RetryPolicy.isOutage(new TimeoutException("transaction of 1 message(s) did not finish within PT15S")));
        assertTrue(RetryPolicy.isOutage(io.vertx.sqlclient.ClosedConnectionException.INSTANCE));
    }

    @Test
    void whatTheStatementOrTheCodeDidIsNotAnOutage() {
        assertFalse(RetryPolicy.isOutage(pg("23505", "duplicate key value violates unique constraint")));
        assertFalse(RetryPolicy.isOutage(pg("40001", "could not serialize access")));
        assertFalse(RetryPolicy.isOutage(new IllegalStateException("row was updated or deleted by another transaction")));
        assertFalse(RetryPolicy.isOutage(new NullPointerException()));
    }

    @Test
    void anOrdinaryFailureIsDeadLetteredAfterMaxAttempts() {
        RuntimeException bug = new IllegalStateException("bug");
        RetryPolicy.Attempts a = RetryPolicy.Attempts.none();
        for (int failure = 1; failure < 5; failure++) {
            a = a.failed(false, failure * SECOND);
            assertTrue(policy.next(bug, a, failure * SECOND, () -> 0.5).isPresent(), "failure " + failure + " is retried");
        }
        a = a.failed(false, 5 * SECOND);
        assertEquals(Optional.empty(), policy.next(bug, a, 5 * SECOND, () -> 0.5));
    }

    @Test
    void anOutageIsWaitedOutForItsBudgetWhateverTheNumberOfAttempts() {
        PgException starting = pg("57P03", "the database system is starting up");
        RetryPolicy.Attempts a = RetryPolicy.Attempts.none().failed(true, 0);
        for (int failure = 2; failure <= 40; failure++) {
            a = a.failed(true, failure * 7 * SECOND);
            long now = failure * 7 * SECOND;
            Optional<Duration> delay = policy.next(starting, a, now, () -> 0.5);
            if (now < 300 * SECOND) {
                assertTrue(delay.isPresent(), "still within the budget at " + now / SECOND + " s");
                assertTrue(delay.get().compareTo(Duration.ofSeconds(10)) <= 0, delay.get().toString());
            } else {
                assertEquals(Optional.empty(), delay, "budget spent at " + now / SECOND + " s");
            }
        }
        assertEquals(0, a.ordinaryFailures(), "outages do not use up the ordinary attempts");
    }

    @Test
    void aMessageThatFailsOrdinarilyAfterAnOutageStillHasItsOrdinaryAttempts() {
        RetryPolicy.Attempts a = RetryPolicy.Attempts.none();
        for (int i = 0; i < 10; i++) {
            a = a.failed(true, i * SECOND);
        }
        a = a.failed(false, 11 * SECOND);
        assertTrue(policy.next(new IllegalStateException("conflict"), a, 11 * SECOND, () -> 0.5).isPresent());
        assertEquals(1, a.ordinaryFailures());
        assertEquals(0, a.firstFailureNanos());
    }

    @Test
    void poisonIsNeverRetried() {
        assertEquals(Optional.empty(), policy.next(new PoisonEventException("schema"), RetryPolicy.Attempts.none().failed(false, 0), 0, () -> 0.5));
    }

    @Test
    void backoffDoublesIsCappedAndJittered() {
        assertEquals(Duration.ofMillis(100), policy.backoff(1, Duration.ofSeconds(2), 0.5));
        assertEquals(Duration.ofMillis(800), policy.backoff(4, Duration.ofSeconds(2), 0.5));
        assertEquals(Duration.ofSeconds(2), policy.backoff(20, Duration.ofSeconds(2), 0.5));
        assertEquals(Duration.ofSeconds(10), policy.backoff(60, Duration.ofSeconds(10), 0.5));
        assertEquals(Duration.ofMillis(50), policy.backoff(1, Duration.ofSeconds(2), 0.0), "-50 % at the low end");
        assertEquals(Duration.ofMillis(3000), policy.backoff(20, Duration.ofSeconds(2), 1.0), "+50 % at the high end");
    }
}
