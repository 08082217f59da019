package dev.shop.order.api;

import dev.shop.eventing.testing.BrokerClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class OrderResourceTests {

    private final BrokerClient broker = new BrokerClient("shop-test-order");

    private static String order(String customer, String sku, int quantity) {
        return "{\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}]}";
    }

    @Test
    void placingAnOrderAnswers202WithLocationAndPendingOrder() {
        String id = given().contentType(ContentType.JSON).body(order("alice", "BOOK-1", 2))
                .when().post("/api/v1/orders")
                .then().statusCode(202)
                .header("Location", matchesPattern("/api/v1/orders/[0-9a-f-]{36}"))
                .body("status", equalTo("PENDING"))
                .body("total", nullValue())
                .body("cancellationReason", nullValue())
                .body("items[0].sku", equalTo("BOOK-1"))
                .extract().path("id");
        given().when().get("/api/v1/orders/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("customerId", equalTo("alice"));
    }

    @Test
    void placingAnOrderPublishesOrderPlacedThroughTheOutbox() {
        String id = given().contentType(ContentType.JSON).body(order("carol", "PEN-2", 3))
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
        var placed = broker.await("inventory-svc.events", BrokerClient.event("order.placed", id), Duration.ofSeconds(10)).json();
        assertEquals("/order-svc", placed.path("source").asText());
        assertEquals("carol", placed.path("data").path("customerId").asText());
        assertEquals(3, placed.path("data").path("items").path(0).path("quantity").asInt());
    }

    @Test
    void sameIdempotencyKeyAndBodyReturnsTheSameOrder() {
        String key = UUID.randomUUID().toString();
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("dave", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
        String second = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("dave", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202)
                .header("Location", equalTo("/api/v1/orders/" + first)).extract().path("id");
        assertEquals(first, second);
    }

    @Test
    void sameIdempotencyKeyWithDifferentBodyIs422() {
        String key = UUID.randomUUID().toString();
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("erin", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202);
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("erin", "A", 2))
                .when().post("/api/v1/orders")
                .then().statusCode(422).contentType("application/problem+json")
                .body("title", equalTo("Idempotency-Key reused"));
    }

    @Test
    void malformedJsonIs400Problem() {
        given().contentType(ContentType.JSON).body("{\"customerId\":")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
    }

    @Test
    void wrongTypeIs400NamingTheField() {
        given().contentType(ContentType.JSON).body("{\"customerId\":\"a\",\"items\":[{\"sku\":\"A\",\"quantity\":\"many\"}]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("items[0].quantity"));
    }

    @Test
    void missingCustomerIs400NamingTheField() {
        given().contentType(ContentType.JSON).body("{\"items\":[{\"sku\":\"A\",\"quantity\":1}]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("customerId"));
    }

    @Test
    void emptyItemsIs400() {
        given().contentType(ContentType.JSON).body("{\"customerId\":\"a\",\"items\":[]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items"));
    }

    @Test
    void quantityOutOfRangeIs400() {
        given().contentType(ContentType.JSON).body(order("a", "A", 0)).when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items[0].quantity"));
        given().contentType(ContentType.JSON).body(order("a", "A", 1001)).when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items[0].quantity"));
    }

    @Test
    void moreThan100LinesIs400() {
        String lines = IntStream.range(0, 101).mapToObj(i -> "{\"sku\":\"S" + i + "\",\"quantity\":1}").collect(Collectors.joining(","));
        given().contentType(ContentType.JSON).body("{\"customerId\":\"a\",\"items\":[" + lines + "]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items"));
    }

    @Test
    void callbackToAnInternalAddressIs400() {
        given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"a\",\"items\":[{\"sku\":\"A\",\"quantity\":1}],\"callbackUrl\":\"http://169.254.169.254/latest\"}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("callbackUrl"));
        given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"a\",\"items\":[{\"sku\":\"A\",\"quantity\":1}],\"callbackUrl\":\"ftp://example.com/x\"}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("callbackUrl"));
    }

    @Test
    void missingBodyIs400() {
        given().contentType(ContentType.JSON).when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void unknownOrderIs404Problem() {
        given().when().get("/api/v1/orders/" + UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json");
        given().when().get("/api/v1/orders/not-a-uuid").then().statusCode(404);
    }

    @Test
    void openApiDocumentDescribesTheOrdersApi() {
        given().when().get("/q/openapi?format=json")
                .then().statusCode(200).body("paths.'/api/v1/orders'.post.responses.'202'.description", org.hamcrest.Matchers.notNullValue());
    }
}
