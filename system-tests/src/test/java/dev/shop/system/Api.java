package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import io.restassured.specification.RequestSpecification;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;

/** The public REST APIs of the four services, as a client sees them. */
final class Api {

    static final Duration SAGA_WAIT = Duration.ofSeconds(60);

    private Api() {
    }

    /** A request carrying {@code token} as its bearer credential. */
    static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    static RequestSpecification asAdmin() {
        return as(Tokens.admin());
    }

    static RequestSpecification asOperator() {
        return as(Tokens.operator());
    }

    static RequestSpecification asCustomer(String customer) {
        return as(Tokens.customer(customer));
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void product(String sku, String price, int available) {
        asAdmin().baseUri(ShopSystem.url("inventory")).contentType(ContentType.JSON)
                .body(Map.of("name", "Item " + sku, "price", new java.math.BigDecimal(price), "available", available))
                .put("/api/v1/products/" + sku).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    static JsonPath stock(String sku) {
        return given().baseUri(ShopSystem.url("inventory")).get("/api/v1/products/" + sku).then().statusCode(200).extract().jsonPath();
    }

    static void account(String customer, String credit) {
        asAdmin().baseUri(ShopSystem.url("billing")).contentType(ContentType.JSON)
                .body(Map.of("credit", new java.math.BigDecimal(credit)))
                .put("/api/v1/accounts/" + customer).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    static java.math.BigDecimal credit(String customer) {
        return new java.math.BigDecimal(asOperator().baseUri(ShopSystem.url("billing")).get("/api/v1/accounts/" + customer)
                .then().statusCode(200).extract().jsonPath().getString("credit"));
    }

    static io.restassured.response.Response payment(String orderId) {
        return asOperator().baseUri(ShopSystem.url("billing")).get("/api/v1/payments/" + orderId);
    }

    static List<Map<String, Object>> notifications(String orderId) {
        return asOperator().baseUri(ShopSystem.url("notification")).queryParam("orderId", orderId)
                .get("/api/v1/notifications").then().statusCode(200).extract().jsonPath().getList("$");
    }

    static String place(String customer, String sku, int quantity) {
        return place(customer, sku, quantity, null);
    }

    static String place(String customer, String sku, int quantity, String idempotencyKey) {
        var req = asCustomer(customer).baseUri(ShopSystem.url("order")).contentType(ContentType.JSON)
                .body(Map.of("customerId", customer, "items", List.of(Map.of("sku", sku, "quantity", quantity))));
        if (idempotencyKey != null) {
            req = req.header("Idempotency-Key", idempotencyKey);
        }
        return req.post("/api/v1/orders").then().statusCode(202).extract().path("id");
    }

    static JsonPath order(String id) {
        return asOperator().baseUri(ShopSystem.url("order")).get("/api/v1/orders/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the order is CONFIRMED or CANCELLED and its notification exists. */
    static JsonPath awaitFinished(String id) {
        JsonPath order = Eventually.await(SAGA_WAIT, () -> order(id), o -> !"PENDING".equals(o.getString("status")), "order " + id + " finished");
        Eventually.await(SAGA_WAIT, () -> notifications(id), n -> n.size() == 1, "notification for " + id);
        return order;
    }
}
