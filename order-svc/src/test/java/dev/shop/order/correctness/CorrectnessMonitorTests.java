package dev.shop.order.correctness;

import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor against order-svc's real database, with no peer reachable (the test peers point at a
 * closed port): what order-svc can decide alone (a stuck order) is reported and cleared; what needs a
 * peer is neither reported nor cleared.
 */
@QuarkusTest
@TestProfile(CorrectnessMonitorTests.NoSweeper.class)
class CorrectnessMonitorTests {

    /** The timeout sweeper would cancel the stuck order the test plants; here it runs once at start only. */
    public static class NoSweeper implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shop.order.timeout-sweep-interval", "1h");
        }
    }

    @Inject
    CorrectnessMonitor monitor;

    @Inject
    Pool pool;

    private UUID insertOrder(String status, OffsetDateTime created) {
        UUID id = UUID.randomUUID();
        pool.preparedQuery("insert into orders (id, customer_id, status, created_at, updated_at) values ($1, 'monitor-test', $2, $3, $3)")
                .execute(Tuple.of(id, status, created)).await().indefinitely();
        pool.preparedQuery("insert into order_line (order_id, line_no, sku, quantity) values ($1, 1, 'MON-1', 1)")
                .execute(Tuple.of(id)).await().indefinitely();
        return id;
    }

    private static String metricsUrl() {
        return "http://localhost:" + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001) + "/q/metrics";
    }

    private static double gauge(String invariant) {
        String metrics = given().get(metricsUrl()).then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("shop_invariant_violations{") && l.contains("invariant=\"" + invariant + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    @Test
    void aStuckOrderIsReportedWithItsIdAndClearedOnceTerminal() {
        // Placed 10 minutes ago and still PENDING: well past the 5 s test saga deadline plus the 60 s grace.
        UUID stuck = insertOrder("PENDING", OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(10));
        assertTrue(monitor.run().await().indefinitely(), "this instance holds the monitor's lock");
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/correctness").then().statusCode(200)
                .body("violations.subject", hasItem(stuck.toString()))
                .body("violations.find { it.subject == '" + stuck + "' }.invariant", org.hamcrest.Matchers.equalTo(Invariants.ORDER_TERMINAL));
        assertTrue(gauge(Invariants.ORDER_TERMINAL) >= 1.0, "the gauge counts the stuck order");

        pool.preparedQuery("update orders set status = 'CANCELLED', cancellation_reason = 'TIMEOUT', updated_at = now() where id = $1")
                .execute(Tuple.of(stuck)).await().indefinitely();
        monitor.run().await().indefinitely();
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/correctness").then().statusCode(200)
                .body("violations.subject", not(hasItem(stuck.toString())))
                .body("lastRun", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void withoutPeersNothingThatNeedsThemIsReported() {
        UUID cancelled = insertOrder("CANCELLED", OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(10));
        monitor.run().await().indefinitely();
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/correctness").then().statusCode(200)
                .body("violations.subject", not(hasItem(cancelled.toString())));
        assertEquals(0.0, gauge(Invariants.CREDIT_CONSERVED));
    }

    @Test
    void theReportIsForOperatorsOnly() {
        given().get("/api/v1/ops/correctness").then().statusCode(401);
        given().auth().oauth2(Tokens.customer("alice")).get("/api/v1/ops/correctness").then().statusCode(403);
        given().auth().oauth2(Tokens.operator()).queryParam("limit", 0).get("/api/v1/ops/correctness").then().statusCode(400);
        given().auth().oauth2(Tokens.operator()).post("/api/v1/ops/correctness/runs").then().statusCode(403);
    }

    @Test
    void anAdminRunsACheckNowAndGetsItsFindings() {
        UUID stuck = insertOrder("PENDING", OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(20));
        given().auth().oauth2(Tokens.admin()).post("/api/v1/ops/correctness/runs").then().statusCode(200)
                .body("violations.subject", hasItem(stuck.toString()))
                .body("counts.order_terminal", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        pool.preparedQuery("update orders set status = 'CANCELLED', cancellation_reason = 'TIMEOUT', updated_at = now() where id = $1")
                .execute(Tuple.of(stuck)).await().indefinitely();
    }
}
