package dev.shop.inventory;

import dev.shop.eventing.testing.Tokens;
import dev.shop.eventing.testing.BrokerClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** inventory-svc's API and saga steps against the real broker and database; the test plays order-svc. */
@QuarkusTest
class InventoryTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private final BrokerClient broker = new BrokerClient("shop-test-inventory");

    private static String sku() {
        return "SKU-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void product(String sku, String price, int available) {
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"Thing\",\"price\":" + price + ",\"available\":" + available + "}")
                .when().put("/api/v1/products/" + sku).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private JsonPath stock(String sku) {
        return given().get("/api/v1/products/" + sku).then().statusCode(200).extract().jsonPath();
    }

    private String placeOrder(Map<String, Integer> lines) {
        String id = UUID.randomUUID().toString();
        var items = lines.entrySet().stream().map(e -> Map.of("sku", e.getKey(), "quantity", e.getValue())).toList();
        broker.publish(BrokerClient.cloudEvent("order.placed", id, Map.of("orderId", id, "customerId", "alice",
                "items", items, "placedAt", "2026-01-01T00:00:00Z")));
        return id;
    }

    /**
     * The consumer handles its queue in order, so once a sentinel published now has had its effect,
     * everything published before it has been processed too.
     */
    private void awaitProcessed() {
        String sentinel = placeOrder(Map.of(sku(), 1));
        broker.await("order-svc.events", BrokerClient.event("stock.rejected", sentinel), WAIT);
    }

    @Test
    void putCreatesThenReplacesAndGetShowsReserved() {
        String sku = sku();
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"Book\",\"price\":12.50,\"available\":10}")
                .when().put("/api/v1/products/" + sku).then().statusCode(201).body("sku", equalTo(sku));
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"Book 2\",\"price\":13.00,\"available\":7}")
                .when().put("/api/v1/products/" + sku).then().statusCode(200);
        given().get("/api/v1/products/" + sku).then().statusCode(200)
                .body("name", equalTo("Book 2")).body("price", equalTo(13.0f)).body("available", equalTo(7)).body("reserved", equalTo(0));
    }

    @Test
    void invalidProductIs400NamingTheField() {
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"\",\"price\":1.234,\"available\":-1}")
                .when().put("/api/v1/products/" + sku()).then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("price")).body("errors.field", hasItem("available")).body("errors.field", hasItem("name"));
    }

    @Test
    void onlyAdminsWriteProductsAndTheWriteIsRefusedWithoutChange() {
        String sku = sku();
        String body = "{\"name\":\"Guarded\",\"price\":1.00,\"available\":5}";
        given().contentType(ContentType.JSON).body(body).when().put("/api/v1/products/" + sku)
                .then().statusCode(401).header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"))
                .contentType("application/problem+json");
        given().auth().oauth2(Tokens.customer("c1")).contentType(ContentType.JSON).body(body).when().put("/api/v1/products/" + sku)
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(body).when().put("/api/v1/products/" + sku)
                .then().statusCode(403);
        given().get("/api/v1/products/" + sku).then().statusCode(404);
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body(body).when().put("/api/v1/products/" + sku)
                .then().statusCode(201);
        // Product reads are public.
        given().get("/api/v1/products/" + sku).then().statusCode(200).body("available", equalTo(5));
    }

    @Test
    void unknownProductIs404() {
        given().get("/api/v1/products/" + sku()).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void orderPlacedReservesAllLinesAndPricesThem() {
        String a = sku();
        String b = sku();
        product(a, "2.50", 10);
        product(b, "1.00", 5);
        String id = placeOrder(Map.of(a, 4, b, 5));
        var reserved = broker.await("billing-svc.events", BrokerClient.event("stock.reserved", id), WAIT).json().path("data");
        assertEquals(15.0, reserved.path("total").asDouble());
        assertEquals(6, stock(a).getInt("available"));
        assertEquals(4, stock(a).getInt("reserved"));
        assertEquals(0, stock(b).getInt("available"));
    }

    @Test
    void orderWithOneShortLineReservesNothing() {
        String a = sku();
        String b = sku();
        product(a, "1.00", 10);
        product(b, "1.00", 1);
        String id = placeOrder(Map.of(a, 2, b, 2));
        var rejected = broker.await("order-svc.events", BrokerClient.event("stock.rejected", id), WAIT).json().path("data");
        assertEquals("OUT_OF_STOCK", rejected.path("reason").asText());
        assertEquals(b, rejected.path("sku").asText());
        assertEquals(10, stock(a).getInt("available"));
        assertEquals(0, stock(a).getInt("reserved"));
    }

    @Test
    void orderForUnknownProductIsRejected() {
        String missing = sku();
        String id = placeOrder(Map.of(missing, 1));
        var rejected = broker.await("order-svc.events", BrokerClient.event("stock.rejected", id), WAIT).json().path("data");
        assertEquals("UNKNOWN_PRODUCT", rejected.path("reason").asText());
        assertEquals(missing, rejected.path("sku").asText());
    }

    @Test
    void confirmedOrderSellsAndCancelledOrderReleases() {
        String a = sku();
        product(a, "1.00", 10);
        String sold = placeOrder(Map.of(a, 3));
        String released = placeOrder(Map.of(a, 2));
        broker.await("billing-svc.events", BrokerClient.event("stock.reserved", released), WAIT);
        broker.publish(BrokerClient.cloudEvent("order.confirmed", sold, Map.of("orderId", sold, "customerId", "alice", "total", 3.0)));
        broker.publish(BrokerClient.cloudEvent("order.cancelled", released, Map.of("orderId", released, "customerId", "alice", "reason", "TIMEOUT")));
        broker.await("order-svc.events", BrokerClient.event("stock.released", released), WAIT);
        broker.await("order-svc.events", BrokerClient.event("stock.committed", sold), WAIT);
        JsonPath s = stock(a);
        assertEquals(7, s.getInt("available"));
        assertEquals(0, s.getInt("reserved"));
    }

    @Test
    void cancellationBeforePlacementMakesTheLatePlacementANoOp() {
        String a = sku();
        product(a, "1.00", 10);
        String id = UUID.randomUUID().toString();
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", "alice", "reason", "TIMEOUT")));
        awaitProcessed();
        broker.publish(BrokerClient.cloudEvent("order.placed", id, Map.of("orderId", id, "customerId", "alice",
                "items", List.of(Map.of("sku", a, "quantity", 5)), "placedAt", "2026-01-01T00:00:00Z")));
        awaitProcessed();
        assertEquals(10, stock(a).getInt("available"));
        assertEquals(0, stock(a).getInt("reserved"));
    }

    @Test
    void releasingTwiceReturnsStockOnce() {
        String a = sku();
        product(a, "1.00", 10);
        String id = placeOrder(Map.of(a, 4));
        broker.await("billing-svc.events", BrokerClient.event("stock.reserved", id), WAIT);
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", "alice", "reason", "TIMEOUT")));
        broker.publish(BrokerClient.cloudEvent("order.cancelled", id, Map.of("orderId", id, "customerId", "alice", "reason", "TIMEOUT")));
        awaitProcessed();
        assertEquals(10, stock(a).getInt("available"));
        assertEquals(0, stock(a).getInt("reserved"));
    }
}
