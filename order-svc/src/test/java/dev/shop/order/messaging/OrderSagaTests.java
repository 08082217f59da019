package dev.shop.order.messaging;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Tokens;
import dev.shop.eventing.testing.Eventually;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** order-svc's saga steps, driven through the real broker: the test plays inventory and billing. */
@QuarkusTest
class OrderSagaTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private final BrokerClient broker = new BrokerClient("shop-test-order");

    private String place(String customer) {
        return given().auth().oauth2(Tokens.customer(customer)).contentType(ContentType.JSON)
                .body("{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":2}]}")
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
    }

    private JsonPath awaitStatus(String id, String status) {
        return Eventually.await(WAIT, () -> given().auth().oauth2(Tokens.operator()).get("/api/v1/orders/" + id).then().extract().jsonPath(),
                json -> status.equals(json.getString("status")), "order " + id + " " + status);
    }

    /** In-order consumption: once a sentinel order is cancelled, every event published before it was processed. */
    private void awaitProcessed() {
        String sentinel = place("sentinel");
        broker.publish(BrokerClient.cloudEvent("stock.rejected", sentinel,
                Map.of("orderId", sentinel, "customerId", "sentinel", "reason", "OUT_OF_STOCK", "sku", "BOOK-1")));
        awaitStatus(sentinel, "CANCELLED");
    }

    private void stockReserved(String id, String customer) {
        broker.publish(BrokerClient.cloudEvent("stock.reserved", id, Map.of("orderId", id, "customerId", customer,
                "items", List.of(Map.of("sku", "BOOK-1", "quantity", 2, "unitPrice", 12.5)), "total", 25.0)));
    }

    private com.fasterxml.jackson.databind.node.ObjectNode paymentAuthorized(String id, String customer) {
        return BrokerClient.cloudEvent("payment.authorized", id, Map.of("orderId", id, "customerId", customer, "amount", 25.0));
    }

    @Test
    void orderConfirmsAfterStockReservedAndPaymentAuthorized() {
        String id = place("alice");
        stockReserved(id, "alice");
        broker.publish(paymentAuthorized(id, "alice"));
        JsonPath order = awaitStatus(id, "CONFIRMED");
        assertEquals(25.0f, order.getFloat("total"));
        assertEquals(12.5f, order.getFloat("items[0].unitPrice"));
        var confirmed = broker.await("notification-svc.events", BrokerClient.event("order.confirmed", id), WAIT).json();
        assertEquals("alice", confirmed.path("data").path("customerId").asText());

        JsonPath journey = Eventually.await(WAIT, () -> given().auth().oauth2(Tokens.operator()).get("/api/v1/orders/" + id + "/journey").then().statusCode(200).extract().jsonPath(),
                j -> j.getList("steps.type").contains("order.confirmed"), "journey complete");
        assertEquals(List.of("order.placed", "stock.reserved", "payment.authorized", "order.confirmed"), journey.getList("steps.type"));
        assertEquals("test", journey.getString("steps[1].service"));
        assertEquals("stock reserved, total 25.0", journey.getString("steps[1].outcome"));
        assertEquals("CONFIRMED", journey.getString("status"));
    }

    @Test
    void operationsViewReportsUnreachablePeersWithoutFailing() {
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/dead-letters").then().statusCode(200)
                .body("size()", org.hamcrest.Matchers.equalTo(4))
                .body("find { it.service == 'order' }.available", org.hamcrest.Matchers.equalTo(true))
                .body("find { it.service == 'inventory' }.available", org.hamcrest.Matchers.equalTo(false));
        given().get("/ops/").then().statusCode(200).body(org.hamcrest.Matchers.containsString("Order journey"))
                .header("Content-Security-Policy", org.hamcrest.Matchers.containsString("script-src 'self'"));
        given().get("/api/v1/ops/dead-letters").then().statusCode(401);
        given().auth().oauth2(Tokens.customer("alice")).get("/api/v1/ops/dead-letters").then().statusCode(403);
    }

    @Test
    void orderCancelsWhenStockIsRejected() {
        String id = place("bob");
        broker.publish(BrokerClient.cloudEvent("stock.rejected", id,
                Map.of("orderId", id, "customerId", "bob", "reason", "UNKNOWN_PRODUCT", "sku", "BOOK-1")));
        JsonPath order = awaitStatus(id, "CANCELLED");
        assertEquals("UNKNOWN_PRODUCT", order.getString("cancellationReason"));
        var cancelled = broker.await("billing-svc.events", BrokerClient.event("order.cancelled", id), WAIT).json();
        assertEquals("UNKNOWN_PRODUCT", cancelled.path("data").path("reason").asText());
    }

    @Test
    void orderCancelsWhenPaymentIsDeclined() {
        String id = place("carol");
        stockReserved(id, "carol");
        broker.publish(BrokerClient.cloudEvent("payment.declined", id,
                Map.of("orderId", id, "customerId", "carol", "amount", 25.0, "reason", "INSUFFICIENT_CREDIT")));
        assertEquals("PAYMENT_DECLINED", awaitStatus(id, "CANCELLED").getString("cancellationReason"));
        broker.await("inventory-svc.events", BrokerClient.event("order.cancelled", id), WAIT);
    }

    @Test
    void pendingOrderTimesOutAndALatePaymentDoesNotResurrectIt() {
        String id = place("dave"); // %test saga timeout is 5s
        assertEquals("TIMEOUT", awaitStatus(id, "CANCELLED").getString("cancellationReason"));
        broker.await("inventory-svc.events", BrokerClient.event("order.cancelled", id), WAIT);
        broker.publish(paymentAuthorized(id, "dave"));
        awaitProcessed();
        JsonPath order = given().auth().oauth2(Tokens.operator()).get("/api/v1/orders/" + id).then().extract().jsonPath();
        assertEquals("CANCELLED", order.getString("status"));
        assertEquals("TIMEOUT", order.getString("cancellationReason"));
    }

    @Test
    void theSameEventDeliveredTwiceHasOneEffect() {
        String id = place("erin");
        stockReserved(id, "erin");
        var event = paymentAuthorized(id, "erin");
        broker.publish(event);
        broker.publish(event); // same CloudEvent id: the inbox must swallow it
        awaitStatus(id, "CONFIRMED");
        broker.await("notification-svc.events", BrokerClient.event("order.confirmed", id), WAIT);
        awaitProcessed();
        long more = broker.drainKept("notification-svc.events").stream()
                .filter(BrokerClient.event("order.confirmed", id)).count();
        assertEquals(0, more, "a duplicate delivery must not emit a second order.confirmed");
    }

    private JsonPath parkedDeadLetter(String routingKey, java.util.function.Predicate<String> body) {
        return Eventually.await(WAIT, () -> given().auth().oauth2(Tokens.operator()).queryParam("status", "PENDING").get("/admin/dead-letters").then().statusCode(200).extract().jsonPath(),
                j -> j.getList("findAll { it.routingKey == '" + routingKey + "' }.body", String.class).stream().anyMatch(body),
                "dead letter parked for " + routingKey);
    }

    @Test
    void poisonMessageIsDeadLetteredWithItsReasonAndLaterOrdersStillComplete() {
        assertTrue(broker.publish("payment.authorized", "this is not json"));
        JsonPath dead = parkedDeadLetter("payment.authorized", b -> b.equals("this is not json"));
        String reason = dead.getString("find { it.body == 'this is not json' }.reason");
        assertTrue(reason.contains("undecodable"), reason);
        assertEquals("poison", dead.getString("find { it.body == 'this is not json' }.failureClass"));

        String id = place("frank");
        stockReserved(id, "frank");
        broker.publish(paymentAuthorized(id, "frank"));
        awaitStatus(id, "CONFIRMED");
    }

    @Test
    void schemaInvalidEventIsDeadLettered() {
        String id = java.util.UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("payment.authorized", id, Map.of("orderId", id, "amount", -1)));
        JsonPath dead = parkedDeadLetter("payment.authorized", b -> b.contains(id));
        assertTrue(dead.getString("find { it.body.contains('" + id + "') }.reason").contains("schema-invalid"));
    }

    @Test
    void deadLetterIsReplayedOnceAndDiscardNeedsAReason() {
        // A payment for an order that does not exist yet is harmless to replay: it is simply ignored.
        String id = java.util.UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("payment.authorized", id, Map.of("orderId", id, "amount", -5)));
        JsonPath dead = parkedDeadLetter("payment.authorized", b -> b.contains(id));
        String dlId = dead.getString("find { it.body.contains('" + id + "') }.id");
        // Operators read dead letters; only admins change them.
        given().auth().oauth2(Tokens.operator()).post("/admin/dead-letters/" + dlId + "/replay").then().statusCode(403);
        given().auth().oauth2(Tokens.admin()).post("/admin/dead-letters/" + dlId + "/replay").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("REPLAYED"));
        given().auth().oauth2(Tokens.operator()).get("/admin/dead-letters/" + dlId).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("REPLAYED"));
        given().auth().oauth2(Tokens.admin()).post("/admin/dead-letters/" + dlId + "/replay").then().statusCode(409).contentType("application/problem+json");
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{}").post("/admin/dead-letters/" + dlId + "/discard").then().statusCode(400);
        given().auth().oauth2(Tokens.admin()).post("/admin/dead-letters/" + java.util.UUID.randomUUID() + "/replay").then().statusCode(404);
    }
}
