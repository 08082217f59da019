package dev.shop.notification;

import dev.shop.eventing.testing.Tokens;
import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** notification-svc records exactly one notification per finished order, whatever the broker redelivers. */
@QuarkusTest
class NotificationTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private final BrokerClient broker = new BrokerClient("shop-test-notification");

    private JsonPath notifications(String orderId) {
        return given().auth().oauth2(Tokens.operator()).queryParam("orderId", orderId).get("/api/v1/notifications").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void confirmedOrderIsNotifiedOnce() {
        String id = UUID.randomUUID().toString();
        var confirmed = BrokerClient.cloudEvent("order.confirmed", id, Map.of("orderId", id, "customerId", "alice", "total", 25.0));
        broker.publish(confirmed);
        broker.publish(confirmed);
        // A redelivery under a new event id (e.g. re-published after a relay crash) must not notify twice either.
        broker.publish(BrokerClient.cloudEvent("order.confirmed", id, Map.of("orderId", id, "customerId", "alice", "total", 25.0)));
        JsonPath list = Eventually.await(WAIT, () -> notifications(id), j -> j.getList("$").size() == 1, "one notification");
        // In-order consumption: once a sentinel order is notified, the redeliveries before it were processed.
        String sentinel = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("order.cancelled", sentinel, Map.of("orderId", sentinel, "customerId", "x", "reason", "TIMEOUT")));
        Eventually.await(WAIT, () -> notifications(sentinel), j -> j.getList("$").size() == 1, "sentinel notified");
        list = notifications(id);
        assertEquals(1, list.getList("$").size());
        assertEquals("ORDER_CONFIRMED", list.getString("[0].type"));
        assertEquals("alice", list.getString("[0].customerId"));
    }

    @Test
    void cancelledOrderIsNotified() {
        String id = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", "bob", "reason", "OUT_OF_STOCK")));
        JsonPath list = Eventually.await(WAIT, () -> notifications(id), j -> j.getList("$").size() == 1, "one notification");
        assertEquals("ORDER_CANCELLED", list.getString("[0].type"));
    }

    @Test
    void customersSeeOnlyTheirOwnNotifications() {
        String customer = "nat-" + UUID.randomUUID().toString().substring(0, 8);
        String mine = UUID.randomUUID().toString();
        String theirs = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("order.cancelled", mine, Map.of("orderId", mine, "customerId", customer, "reason", "TIMEOUT")));
        broker.publish(BrokerClient.cloudEvent("order.cancelled", theirs, Map.of("orderId", theirs, "customerId", "other-" + customer, "reason", "TIMEOUT")));
        Eventually.await(WAIT, () -> notifications(theirs), j -> j.getList("$").size() == 1, "other customer's notification");
        Eventually.await(WAIT, () -> notifications(mine), j -> j.getList("$").size() == 1, "own notification");
        given().auth().oauth2(Tokens.customer(customer)).queryParam("orderId", mine).get("/api/v1/notifications")
                .then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(1));
        // Someone else's order looks exactly like an unknown one: an empty list.
        given().auth().oauth2(Tokens.customer(customer)).queryParam("orderId", theirs).get("/api/v1/notifications")
                .then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
        given().auth().oauth2(Tokens.customer(customer)).get("/api/v1/notifications")
                .then().statusCode(200).body("customerId", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo(customer)));
        given().auth().oauth2(Tokens.customer(customer)).queryParam("customerId", "other-" + customer).get("/api/v1/notifications")
                .then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
        given().queryParam("orderId", mine).get("/api/v1/notifications").then().statusCode(401);
    }

    @Test
    void invalidOrderIdIs400() {
        given().auth().oauth2(Tokens.operator()).queryParam("orderId", "nope").get("/api/v1/notifications").then().statusCode(400).contentType("application/problem+json");
    }
}
