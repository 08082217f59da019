package dev.shop.inventory.api;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The correctness endpoints against the real database and broker: facts for known orders only, the
 * per-product invariants hold under saga traffic, and a change made behind the service's back is
 * reported for exactly that product until it is repaired.
 */
@QuarkusTest
class CorrectnessTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ORDERS = "/api/v1/admin/correctness/orders";
    private static final String INVARIANTS = "/api/v1/admin/correctness/invariants";

    private final BrokerClient broker = new BrokerClient("shop-test-inventory");

    @Inject
    Pool pool;

    private static String sku() {
        return "COR-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void product(String sku, int available) {
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"Thing\",\"price\":2.00,\"available\":" + available + "}")
                .when().put("/api/v1/products/" + sku).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private String place(String sku, int quantity) {
        String id = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("order.placed", id, Map.of("orderId", id, "customerId", "alice",
                "items", List.of(Map.of("sku", sku, "quantity", quantity)), "placedAt", "2026-01-01T00:00:00Z")));
        return id;
    }

    private void confirm(String id) {
        broker.publish(BrokerClient.cloudEvent("order.confirmed", id, Map.of("orderId", id, "customerId", "alice", "total", 1.0)));
    }

    private void cancel(String id) {
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", "alice", "reason", "TIMEOUT")));
    }

    /** In-order consumption: once a sentinel published now is rejected, everything before it was processed. */
    private void awaitProcessed() {
        String sentinel = place(sku(), 1);
        broker.await("order-svc.events", BrokerClient.event("stock.rejected", sentinel), WAIT);
    }

    private JsonPath facts(String... orderIds) {
        return given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", List.of(orderIds)))
                .when().post(ORDERS).then().statusCode(200).extract().jsonPath();
    }

    private JsonPath invariants() {
        return given().auth().oauth2(Tokens.operator()).get(INVARIANTS).then().statusCode(200)
                .body("service", equalTo("inventory-svc")).extract().jsonPath();
    }

    private void sql(String statement, Object... args) {
        pool.preparedQuery(statement).execute(Tuple.from(args)).await().indefinitely();
    }

    private Row productRow(String sku) {
        return pool.preparedQuery("select stocked, sold from product where sku = $1").execute(Tuple.of(sku))
                .await().indefinitely().iterator().next();
    }

    @Test
    void factsListKnownOrdersWithTheirStatusAndLinesAndLeaveUnknownOnesOut() {
        String a = sku();
        product(a, 10);
        String held = place(a, 2);
        String committed = place(a, 3);
        String released = place(a, 1);
        String rejected = place(sku(), 1);
        String early = UUID.randomUUID().toString();
        broker.await("billing-svc.events", BrokerClient.event("stock.reserved", released), WAIT);
        confirm(committed);
        cancel(released);
        cancel(early);
        awaitProcessed();
        String unknown = UUID.randomUUID().toString();

        JsonPath body = facts(held, committed, released, rejected, early, unknown, held);

        assertEquals("inventory-svc", body.getString("service"));
        assertEquals(5, body.getList("orders").size(), "every known order once, the unknown one left out: " + body.prettify());
        String of = "orders.find { it.orderId == '%s' }.";
        assertEquals("HELD", body.getString(of.formatted(held) + "status"));
        assertEquals(List.of(Map.of("sku", a, "quantity", 2)), body.getList(of.formatted(held) + "lines"));
        assertEquals("COMMITTED", body.getString(of.formatted(committed) + "status"));
        assertEquals(List.of(Map.of("sku", a, "quantity", 3)), body.getList(of.formatted(committed) + "lines"));
        assertEquals("RELEASED", body.getString(of.formatted(released) + "status"));
        assertEquals("REJECTED", body.getString(of.formatted(rejected) + "status"));
        assertEquals(List.of(), body.getList(of.formatted(rejected) + "lines"));
        assertEquals("CANCELLED_EARLY", body.getString(of.formatted(early) + "status"));
        assertTrue(body.getList("orders.orderId").stream().noneMatch(unknown::equals));
    }

    @Test
    void onlyUnknownOrdersGiveAnEmptyList() {
        assertEquals(List.of(), facts(UUID.randomUUID().toString()).getList("orders"));
    }

    @Test
    void badOrderIdsAre400Problems() {
        for (String body : List.of("{}", "{\"orderIds\":[]}", "{\"orderIds\":\"x\"}", "[]")) {
            given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(body).when().post(ORDERS)
                    .then().statusCode(400).contentType("application/problem+json");
        }
        List<String> tooMany = IntStream.range(0, 501).mapToObj(i -> UUID.randomUUID().toString()).toList();
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", tooMany)).when().post(ORDERS)
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("orderIds"));
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON)
                .body(Map.of("orderIds", List.of(UUID.randomUUID().toString(), "'; drop table product; --")))
                .when().post(ORDERS).then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("orderIds[1]"));
        // 500 is the limit, not one over it.
        List<String> most = IntStream.range(0, 500).mapToObj(i -> UUID.randomUUID().toString()).toList();
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", most)).when().post(ORDERS)
                .then().statusCode(200);
    }

    @Test
    void onlyOperatorsAndAdminsMayAsk() {
        String body = "{\"orderIds\":[\"" + UUID.randomUUID() + "\"]}";
        given().contentType(ContentType.JSON).body(body).when().post(ORDERS)
                .then().statusCode(401).header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        given().get(INVARIANTS).then().statusCode(401);
        given().auth().oauth2(Tokens.customer("c1")).contentType(ContentType.JSON).body(body).when().post(ORDERS)
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(Tokens.customer("c1")).get(INVARIANTS).then().statusCode(403);
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body(body).when().post(ORDERS).then().statusCode(200);
        given().auth().oauth2(Tokens.admin()).get(INVARIANTS).then().statusCode(200);
    }

    @Test
    void invariantsHoldAfterSagaTrafficAndStockChanges() {
        String a = sku();
        String b = sku();
        product(a, 10);
        product(b, 5);
        String sold = place(a, 3);
        String released = place(a, 2);
        String pending = place(b, 4);
        place(b, 2); // out of stock: rejected, nothing held
        broker.await("billing-svc.events", BrokerClient.event("stock.reserved", released), WAIT);
        confirm(sold);
        cancel(released);
        cancel(released); // a redelivered compensation changes nothing
        awaitProcessed();
        product(a, 4);   // an admin takes stock out...
        product(b, 9);   // ...and puts stock in while units are held

        JsonPath report = invariants();
        assertEquals(List.of(), report.getList("violations"), report.prettify());
        assertTrue(report.getLong("subjectsChecked") >= 2);
        assertTrue(report.getString("checkedAt").matches("\\d{4}-\\d\\d-\\d\\dT.*"), report.getString("checkedAt"));
        Row ra = productRow(a);
        assertEquals(3, ra.getLong("sold"));
        assertEquals(7, ra.getLong("stocked"), "10 stocked, then available 7 -> 4: an adjustment of -3");
        assertEquals(5 + (9 - 1), productRow(b).getLong("stocked"), "5 stocked, then available 1 -> 9 while 4 are held");
        assertEquals(4, given().get("/api/v1/products/" + b).then().extract().jsonPath().getInt("reserved"));
        assertEquals("HELD", facts(pending).getString("orders[0].status"));
    }

    @Test
    void aStockChangeBehindTheServicesBackIsReportedForExactlyThatProductUntilRepaired() {
        String a = sku();
        product(a, 10);
        String held = place(a, 2);
        broker.await("billing-svc.events", BrokerClient.event("stock.reserved", held), WAIT);
        assertEquals(List.of(), invariants().getList("violations"));

        sql("update product set available = available + 1 where sku = $1", a);
        try {
            JsonPath report = invariants();
            assertEquals(List.of(Map.of("invariant", "stock_conserved", "subject", a,
                    "detail", "available 9 + reserved 2 + sold 0 = 11, stocked 10")), report.getList("violations"));
        } finally {
            sql("update product set available = available - 1 where sku = $1", a);
        }
        assertEquals(List.of(), invariants().getList("violations"));

        // Units moved from available to reserved without a reservation: still conserved, but not held by anyone.
        sql("update product set available = available - 1, reserved = reserved + 1 where sku = $1", a);
        try {
            assertEquals(List.of(Map.of("invariant", "reserved_matches_holds", "subject", a,
                    "detail", "reserved 3, held by reservations 2")), invariants().getList("violations"));
        } finally {
            sql("update product set available = available + 1, reserved = reserved - 1 where sku = $1", a);
        }
        assertEquals(List.of(), invariants().getList("violations"));
    }

    @Test
    void theMigrationsBackfillRebuildsTheLedgerFromReservations() throws IOException {
        String a = sku();
        product(a, 10);
        String sold = place(a, 3);
        String held = place(a, 2);
        broker.await("billing-svc.events", BrokerClient.event("stock.reserved", held), WAIT);
        confirm(sold);
        broker.await("order-svc.events", BrokerClient.event("stock.committed", sold), WAIT);
        awaitProcessed();
        // As a product looked before the ledger columns existed.
        sql("update product set stocked = 0, sold = 0 where sku = $1", a);
        assertEquals(List.of("stock_conserved"), invariants().getList("violations.invariant"));

        for (String statement : backfillStatements()) {
            sql(statement);
        }

        Row row = productRow(a);
        assertEquals(3, row.getLong("sold"), "sold = the committed reservation lines");
        assertEquals(10, row.getLong("stocked"), "stocked = available 5 + reserved 2 + sold 3");
        assertEquals(List.of(), invariants().getList("violations"));
    }

    /** The update statements of the migration that introduced the ledger (also the documented repair after a rollout). */
    private static List<String> backfillStatements() throws IOException {
        try (InputStream in = CorrectnessTests.class.getResourceAsStream("/db/migration/V1_1__stock_ledger.sql")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)--.*$", "");
            List<String> updates = Arrays.stream(script.split(";")).map(String::strip).filter(s -> s.startsWith("update")).toList();
            assertEquals(2, updates.size(), "the migration's two backfill updates");
            return updates;
        }
    }
}
