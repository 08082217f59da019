package dev.shop.billing;

import dev.shop.eventing.testing.Tokens;
import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** billing-svc's API and saga steps against the real broker and database; the test plays inventory and order. */
@QuarkusTest
class BillingTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private final BrokerClient broker = new BrokerClient("shop-test-billing");

    private static String customer() {
        return "cust-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void account(String customer, String credit) {
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"credit\":" + credit + "}")
                .when().put("/api/v1/accounts/" + customer).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private float credit(String customer) {
        return given().auth().oauth2(Tokens.operator()).get("/api/v1/accounts/" + customer).then().statusCode(200).extract().jsonPath().getFloat("credit");
    }

    private String reserve(String customer, double total) {
        String id = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("stock.reserved", id, Map.of("orderId", id, "customerId", customer,
                "items", List.of(Map.of("sku", "A", "quantity", 1, "unitPrice", total)), "total", total)));
        return id;
    }

    /** In-order consumption: once a sentinel published now is decided, everything before it was processed. */
    private void awaitProcessed() {
        String sentinel = reserve(customer(), 1.00);
        broker.await("order-svc.events", BrokerClient.event("payment.declined", sentinel), WAIT);
    }

    @Test
    void customersReadTheirOwnAccountAndPaymentsOnlyAndOthersLookMissing() {
        String me = customer();
        String other = customer();
        account(me, "40.00");
        account(other, "40.00");
        String mine = reserve(me, 10.0);
        String theirs = reserve(other, 10.0);
        Eventually.await(Duration.ofSeconds(15), () -> given().auth().oauth2(Tokens.operator()).get("/api/v1/payments/" + theirs).statusCode(),
                s -> s == 200, "payment of the other customer's order");
        given().auth().oauth2(Tokens.customer(me)).get("/api/v1/accounts/" + me).then().statusCode(200);
        given().auth().oauth2(Tokens.customer(me)).get("/api/v1/payments/" + mine).then().statusCode(200).body("customerId", equalTo(me));
        var foreignAccount = given().auth().oauth2(Tokens.customer(me)).get("/api/v1/accounts/" + other).then().statusCode(404).extract().jsonPath();
        var missingAccount = given().auth().oauth2(Tokens.customer(me)).get("/api/v1/accounts/" + customer()).then().statusCode(404).extract().jsonPath();
        assertEquals(missingAccount.getString("type"), foreignAccount.getString("type"));
        given().auth().oauth2(Tokens.customer(me)).get("/api/v1/payments/" + theirs).then().statusCode(404);
        // Customers cannot give themselves credit.
        given().auth().oauth2(Tokens.customer(me)).contentType(ContentType.JSON).body("{\"credit\":1000000}").put("/api/v1/accounts/" + me)
                .then().statusCode(403).contentType("application/problem+json");
        assertEquals(40.0f, credit(me) + 10.0f, 0.001);
    }

    @Test
    void putCreatesThenReplacesCredit() {
        String c = customer();
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"credit\":100.00}").when().put("/api/v1/accounts/" + c)
                .then().statusCode(201).body("credit", equalTo(100.0f));
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"credit\":50.25}").when().put("/api/v1/accounts/" + c).then().statusCode(200);
        assertEquals(50.25f, credit(c));
    }

    @Test
    void negativeOrOverPreciseCreditIs400() {
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"credit\":-1}").when().put("/api/v1/accounts/" + customer())
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("credit"));
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"credit\":1.001}").when().put("/api/v1/accounts/" + customer())
                .then().statusCode(400).body("errors.field", hasItem("credit"));
    }

    @Test
    void unknownAccountAndPaymentAre404() {
        given().auth().oauth2(Tokens.operator()).get("/api/v1/accounts/" + customer()).then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(Tokens.operator()).get("/api/v1/payments/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void stockReservedAuthorizesAgainstCredit() {
        String c = customer();
        account(c, "100.00");
        String id = reserve(c, 30.00);
        var authorized = broker.await("order-svc.events", BrokerClient.event("payment.authorized", id), WAIT).json();
        assertEquals(30.0, authorized.path("data").path("amount").asDouble());
        assertEquals(70.0f, credit(c));
        given().auth().oauth2(Tokens.operator()).get("/api/v1/payments/" + id).then().statusCode(200).body("status", equalTo("AUTHORIZED")).body("customerId", equalTo(c));
    }

    @Test
    void insufficientCreditDeclinesAndChargesNothing() {
        String c = customer();
        account(c, "10.00");
        String id = reserve(c, 10.01);
        var declined = broker.await("order-svc.events", BrokerClient.event("payment.declined", id), WAIT).json();
        assertEquals("INSUFFICIENT_CREDIT", declined.path("data").path("reason").asText());
        assertEquals(10.0f, credit(c));
        given().auth().oauth2(Tokens.operator()).get("/api/v1/payments/" + id).then().statusCode(200).body("status", equalTo("DECLINED"));
    }

    @Test
    void unknownCustomerIsDeclined() {
        String id = reserve(customer(), 1.00);
        var declined = broker.await("order-svc.events", BrokerClient.event("payment.declined", id), WAIT).json();
        assertEquals("UNKNOWN_CUSTOMER", declined.path("data").path("reason").asText());
    }

    @Test
    void cancellationRefundsOnceEvenWhenDeliveredTwice() {
        String c = customer();
        account(c, "100.00");
        String id = reserve(c, 40.00);
        broker.await("order-svc.events", BrokerClient.event("payment.authorized", id), WAIT);
        var cancel = BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", c, "reason", "TIMEOUT"));
        broker.publish(cancel);
        broker.publish(cancel);
        broker.await("order-svc.events", BrokerClient.event("payment.refunded", id), WAIT);
        awaitProcessed();
        assertEquals(100.0f, credit(c));
        given().auth().oauth2(Tokens.operator()).get("/api/v1/payments/" + id).then().body("status", equalTo("REFUNDED"));
    }

    @Test
    void cancellationBeforeReservationPreventsALateCharge() {
        String c = customer();
        account(c, "100.00");
        String id = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", c, "reason", "TIMEOUT")));
        awaitProcessed();
        broker.publish(BrokerClient.cloudEvent("stock.reserved", id, Map.of("orderId", id, "customerId", c,
                "items", List.of(Map.of("sku", "A", "quantity", 1, "unitPrice", 5.0)), "total", 5.0)));
        awaitProcessed();
        assertEquals(100.0f, credit(c));
        given().auth().oauth2(Tokens.operator()).get("/api/v1/payments/" + id).then().statusCode(404);
    }
}
