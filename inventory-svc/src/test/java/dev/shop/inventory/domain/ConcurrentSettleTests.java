package dev.shop.inventory.domain;

import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * order.placed and order.cancelled of one order handled at the same time by two consumers (two
 * instances, or a redelivery racing the original), against the real database: the release must not
 * miss a reservation that commits while it runs, or its units stay reserved for ever.
 */
@QuarkusTest
class ConcurrentSettleTests {

    @Inject
    InventoryService inventory;

    @Inject
    Pool pool;

    @Test
    void aReleaseRacingTheReservationReleasesIt() throws Exception {
        String sku = "RACE-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"Race\",\"price\":1.00,\"available\":10}")
                .when().put("/api/v1/products/" + sku).then().statusCode(201);
        UUID order = UUID.randomUUID();

        SqlConnection placing = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        SqlConnection cancelling = pool.getConnection().await().atMost(Duration.ofSeconds(10));
        try {
            // order.placed: the reservation is written but not committed yet.
            var placed = placing.begin().await().atMost(Duration.ofSeconds(10));
            inventory.reserve(placing, order, List.of(new InventoryService.Quantity(sku, 3))).await().atMost(Duration.ofSeconds(10));
            // order.cancelled meanwhile: it sees no reservation, so it writes the CANCELLED_EARLY marker,
            // which waits on the uncommitted reservation's key.
            var cancelled = cancelling.begin().await().atMost(Duration.ofSeconds(10));
            CompletableFuture<List<ReservationLine>> released = inventory.release(cancelling, order).subscribeAsCompletionStage();
            awaitBlockedOnALock();
            placed.commit().await().atMost(Duration.ofSeconds(10));
            assertEquals(1, released.get(10, java.util.concurrent.TimeUnit.SECONDS).size(), "the release found the committed reservation");
            cancelled.commit().await().atMost(Duration.ofSeconds(10));
        } finally {
            placing.close().await().atMost(Duration.ofSeconds(10));
            cancelling.close().await().atMost(Duration.ofSeconds(10));
        }

        var stock = given().get("/api/v1/products/" + sku).then().statusCode(200).extract().jsonPath();
        assertEquals(10, stock.getInt("available"));
        assertEquals(0, stock.getInt("reserved"));
        String status = pool.preparedQuery("select status from reservation where order_id = $1").execute(Tuple.of(order))
                .await().atMost(Duration.ofSeconds(10)).iterator().next().getString("status");
        assertEquals("RELEASED", status);
    }

    private void awaitBlockedOnALock() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            long waiting = pool.query("select count(*) as n from pg_stat_activity where datname = current_database() "
                    + "and wait_event_type = 'Lock'").execute().await().atMost(Duration.ofSeconds(5)).iterator().next().getLong("n");
            if (waiting > 0) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the release never waited on the reservation's key");
    }
}
