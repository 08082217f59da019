package dev.shop.order.messaging;

import dev.shop.eventing.testing.Eventually;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The saga deadline under contention (./shop chaos --seed 2, docs/reliability.md): two replicas'
 * sweeps and the saga steps competed for the same overdue rows; the sweep that lost rolled back its
 * whole batch, tick after tick, and orders were confirmed minutes past their deadline. A sweep now
 * skips rows another transaction holds, so one held order never stops the others from timing out.
 */
@QuarkusTest
@TestProfile(ChaosSeed2TimeoutSweepTests.ShortDeadline.class)
class ChaosSeed2TimeoutSweepTests {

    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shop.order.saga-timeout", "2s");
        }
    }

    @Inject
    Pool pool;

    @Test
    void seed2AnOverdueOrderHeldByAnotherTransactionDoesNotStopTheOthersTimingOut() {
        SqlConnection holder = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        String held;
        String free;
        try {
            holder.query("begin").execute().await().atMost(Duration.ofSeconds(10));
            held = ChaosOrders.place("seed2-held");
            // Another transaction (a saga step, the other replica's sweep) holds this order's row.
            holder.preparedQuery("select id from orders where id = $1 for update").execute(Tuple.of(UUID.fromString(held)))
                    .await().atMost(Duration.ofSeconds(10));
            free = ChaosOrders.place("seed2-free");
            String f = free;
            Eventually.await(Duration.ofSeconds(20), () -> ChaosOrders.status(f), "CANCELLED"::equals, "order " + free + " timed out while another is held");
            assertEquals("PENDING", ChaosOrders.status(held));
        } finally {
            holder.query("rollback").execute().await().atMost(Duration.ofSeconds(10));
            holder.close().await().atMost(Duration.ofSeconds(10));
        }
        String h = held;
        Eventually.await(Duration.ofSeconds(20), () -> ChaosOrders.status(h), "CANCELLED"::equals, "order " + held + " timed out once released");
    }
}
