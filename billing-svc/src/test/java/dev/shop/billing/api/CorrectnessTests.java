package dev.shop.billing.api;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
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
 * The correctness endpoints against the real database and broker: payment facts for known orders only,
 * credit is conserved under saga traffic and admin changes, and a change made behind the service's back
 * is reported for exactly that account until it is repaired.
 */
@QuarkusTest
class CorrectnessTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ORDERS = "/api/v1/admin/correctness/orders";
    private static final String INVARIANTS = "/api/v1/admin/correctness/invariants";

    private final BrokerClient broker = new BrokerClient("shop-test-billing");

    @Inject
    Pool pool;

    private static String customer() {
        return "cor-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void account(String customer, String credit) {
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"credit\":" + credit + "}")
                .when().put("/api/v1/accounts/" + customer).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private String reserve(String customer, double total) {
        String id = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("stock.reserved", id, Map.of("orderId", id, "customerId", customer,
                "items", List.of(Map.of("sku", "A", "quantity", 1, "unitPrice", total)), "total", total)));
        return id;
    }

    private void cancel(String id, String customer) {
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", customer, "reason", "TIMEOUT")));
    }

    /** In-order consumption: once a sentinel published now is decided, everything before it was processed. */
    private void awaitProcessed() {
        String sentinel = reserve(customer(), 1.00);
        broker.await("order-svc.events", BrokerClient.event("payment.declined", sentinel), WAIT);
    }

    private JsonPath facts(String... orderIds) {
        return given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", List.of(orderIds)))
                .when().post(ORDERS).then().statusCode(200).extract().jsonPath();
    }

    private JsonPath invariants() {
        return given().auth().oauth2(Tokens.operator()).get(INVARIANTS).then().statusCode(200)
                .body("service", equalTo("billing-svc")).extract().jsonPath();
    }

    private void sql(String statement, Object... args) {
        pool.preparedQuery(statement).execute(Tuple.from(args)).await().indefinitely();
    }

    private BigDecimal granted(String customer) {
        return pool.preparedQuery("select granted from account where customer_id = $1").execute(Tuple.of(customer))
                .await().indefinitely().iterator().next().getBigDecimal("granted");
    }

    @Test
    void factsListKnownOrdersWithStatusAmountAndCustomerAndLeaveUnknownOnesOut() {
        String c = customer();
        account(c, "100.00");
        String authorized = reserve(c, 12.50);
        String refunded = reserve(c, 20.00);
        String declined = reserve(c, 1000.00);
        String voided = UUID.randomUUID().toString();
        broker.await("order-svc.events", BrokerClient.event("payment.authorized", refunded), WAIT);
        cancel(refunded, c);
        cancel(voided, c);
        awaitProcessed();
        String unknown = UUID.randomUUID().toString();

        JsonPath body = facts(authorized, refunded, declined, voided, unknown, authorized);

        assertEquals("billing-svc", body.getString("service"));
        assertEquals(4, body.getList("orders").size(), "every known order once, the unknown one left out: " + body.prettify());
        String of = "orders.find { it.orderId == '%s' }.";
        assertEquals("AUTHORIZED", body.getString(of.formatted(authorized) + "status"));
        assertEquals(0, new BigDecimal("12.50").compareTo(new BigDecimal(body.getString(of.formatted(authorized) + "amount"))));
        assertEquals(c, body.getString(of.formatted(authorized) + "customerId"));
        assertEquals("REFUNDED", body.getString(of.formatted(refunded) + "status"));
        assertEquals("DECLINED", body.getString(of.formatted(declined) + "status"));
        assertEquals("VOIDED", body.getString(of.formatted(voided) + "status"));
        assertTrue(body.getList("orders.orderId").stream().noneMatch(unknown::equals));
        // The amount is a JSON number with its cents, as stored.
        String raw = given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", List.of(authorized)))
                .when().post(ORDERS).then().extract().asString();
        assertTrue(raw.contains("\"amount\":12.50"), raw);
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
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", List.of("not-a-uuid")))
                .when().post(ORDERS).then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("orderIds[0]"));
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
    void creditIsConservedAfterSagaTrafficAndAdminChanges() {
        String c = customer();
        account(c, "100.00");
        String kept = reserve(c, 30.00);
        String refunded = reserve(c, 20.00);
        reserve(c, 500.00);                          // declined: takes nothing
        broker.await("order-svc.events", BrokerClient.event("payment.authorized", refunded), WAIT);
        cancel(refunded, c);
        cancel(refunded, c);                          // a redelivered compensation refunds once
        String voided = UUID.randomUUID().toString();
        cancel(voided, c);
        awaitProcessed();
        account(c, "40.00");                          // an admin takes 30.00 away (credit was 70.00)...
        reserve(customer(), 5.00);                    // (unknown customer: declined, no account, nothing taken)
        awaitProcessed();

        JsonPath report = invariants();
        assertEquals(List.of(), report.getList("violations"), report.prettify());
        assertTrue(report.getLong("subjectsChecked") >= 1);
        assertTrue(report.getString("checkedAt").matches("\\d{4}-\\d\\d-\\d\\dT.*"), report.getString("checkedAt"));
        assertEquals(new BigDecimal("70.00"), granted(c), "100.00 granted, then 70.00 -> 40.00");
        assertEquals("AUTHORIZED", facts(kept).getString("orders[0].status"));
    }

    @Test
    void aCreditChangeBehindTheServicesBackIsReportedForExactlyThatAccountUntilRepaired() {
        String c = customer();
        account(c, "100.00");
        String paid = reserve(c, 30.00);
        broker.await("order-svc.events", BrokerClient.event("payment.authorized", paid), WAIT);
        assertEquals(List.of(), invariants().getList("violations"));

        sql("update account set credit = credit - 10 where customer_id = $1", c);
        try {
            assertEquals(List.of(Map.of("invariant", "credit_conserved", "subject", c,
                    "detail", "granted 100.00 - authorized 30.00 = 70.00, credit 60.00")), invariants().getList("violations"));
        } finally {
            sql("update account set credit = credit + 10 where customer_id = $1", c);
        }
        assertEquals(List.of(), invariants().getList("violations"));

        // A payment lost behind the service's back: the credit it took is no longer accounted for.
        sql("update payment set status = 'DECLINED' where order_id = $1", UUID.fromString(paid));
        try {
            assertEquals(List.of(Map.of("invariant", "credit_conserved", "subject", c,
                    "detail", "granted 100.00 - authorized 0.00 = 100.00, credit 70.00")), invariants().getList("violations"));
        } finally {
            sql("update payment set status = 'AUTHORIZED' where order_id = $1", UUID.fromString(paid));
        }
        assertEquals(List.of(), invariants().getList("violations"));
    }

    @Test
    void theMigrationsBackfillRebuildsGrantedFromCreditAndAuthorizedPayments() throws IOException {
        String c = customer();
        account(c, "100.00");
        String kept = reserve(c, 30.00);
        String refunded = reserve(c, 20.00);
        broker.await("order-svc.events", BrokerClient.event("payment.authorized", refunded), WAIT);
        cancel(refunded, c);
        awaitProcessed();
        sql("update account set granted = 0 where customer_id = $1", c); // as before the column existed
        assertEquals(List.of(c), invariants().getList("violations.subject"));

        sql(backfillStatement());

        assertEquals(new BigDecimal("100.00"), granted(c), "credit 70.00 + authorized 30.00");
        assertEquals(List.of(), invariants().getList("violations"));
        assertEquals("AUTHORIZED", facts(kept).getString("orders[0].status"));
    }

    /** The update of the migration that introduced granted (also the documented repair after a rollout). */
    private static String backfillStatement() throws IOException {
        try (InputStream in = CorrectnessTests.class.getResourceAsStream("/db/migration/V1_2__credit_ledger.sql")) {
            String script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)--.*$", "");
            List<String> updates = Arrays.stream(script.split(";")).map(String::strip).filter(s -> s.startsWith("update")).toList();
            assertEquals(1, updates.size(), "the migration's backfill update");
            return updates.get(0);
        }
    }
}
