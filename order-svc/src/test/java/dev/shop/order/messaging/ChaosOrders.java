package dev.shop.order.messaging;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Tokens;
import io.restassured.http.ContentType;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the chaos-seed regression tests do to an order: place it through the API, reject its stock through the broker, read its status. */
final class ChaosOrders {

    private ChaosOrders() {
    }

    /** One BOOK-1 placed by {@code customer}; returns the order id. */
    static String place(String customer) {
        return given().auth().oauth2(Tokens.customer(customer)).contentType(ContentType.JSON)
                .body("{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":1}]}")
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
    }

    /** inventory-svc's answer "out of stock" for the order, published to the broker as the tests' user. */
    static void rejectStock(BrokerClient broker, String id, String customer) {
        assertTrue(broker.publish(BrokerClient.cloudEvent("stock.rejected", id,
                Map.of("orderId", id, "customerId", customer, "reason", "OUT_OF_STOCK", "sku", "BOOK-1"))));
    }

    static String status(String id) {
        return given().auth().oauth2(Tokens.operator()).get("/api/v1/orders/" + id).then().statusCode(200).extract().path("status");
    }
}
