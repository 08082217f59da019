package dev.shop.order.api;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Tokens;
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
        String id = given().auth().oauth2(Tokens.customer("alice")).contentType(ContentType.JSON).body(order("alice", "BOOK-1", 2))
                .when().post("/api/v1/orders")
                .then().statusCode(202)
                .header("Location", matchesPattern("/api/v1/orders/[0-9a-f-]{36}"))
                .body("status", equalTo("PENDING"))
                .body("total", nullValue())
                .body("cancellationReason", nullValue())
                .body("items[0].sku", equalTo("BOOK-1"))
                .extract().path("id");
        given().auth().oauth2(Tokens.operator()).when().get("/api/v1/orders/" + id)
                .then().statusCode(200).body("id", equalTo(id)).body("customerId", equalTo("alice"));
    }

    @Test
    void placingAnOrderPublishesOrderPlacedThroughTheOutbox() {
        String id = given().auth().oauth2(Tokens.customer("carol")).contentType(ContentType.JSON).body(order("carol", "PEN-2", 3))
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
        var placed = broker.await("inventory-svc.events", BrokerClient.event("order.placed", id), Duration.ofSeconds(10)).json();
        assertEquals("/order-svc", placed.path("source").asText());
        assertEquals("carol", placed.path("data").path("customerId").asText());
        assertEquals(3, placed.path("data").path("items").path(0).path("quantity").asInt());
    }

    @Test
    void sameIdempotencyKeyAndBodyReturnsTheSameOrder() {
        String key = UUID.randomUUID().toString();
        String first = given().auth().oauth2(Tokens.customer("dave")).contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("dave", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
        String second = given().auth().oauth2(Tokens.customer("dave")).contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("dave", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202)
                .header("Location", equalTo("/api/v1/orders/" + first)).extract().path("id");
        assertEquals(first, second);
    }

    @Test
    void sameIdempotencyKeyWithDifferentBodyIs422() {
        String key = UUID.randomUUID().toString();
        given().auth().oauth2(Tokens.customer("erin")).contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("erin", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202);
        given().auth().oauth2(Tokens.customer("erin")).contentType(ContentType.JSON).header("Idempotency-Key", key).body(order("erin", "A", 2))
                .when().post("/api/v1/orders")
                .then().statusCode(422).contentType("application/problem+json")
                .body("title", equalTo("Idempotency-Key reused"));
    }

    @Test
    void malformedJsonIs400Problem() {
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).body("{\"customerId\":")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json").body("status", equalTo(400));
    }

    @Test
    void wrongTypeIs400NamingTheField() {
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).body("{\"customerId\":\"a\",\"items\":[{\"sku\":\"A\",\"quantity\":\"many\"}]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("items[0].quantity"));
    }

    @Test
    void orderWithoutCustomerIdIsPlacedForTheCaller() {
        given().auth().oauth2(Tokens.customer("nora")).contentType(ContentType.JSON).body("{\"items\":[{\"sku\":\"A\",\"quantity\":1}]}")
                .when().post("/api/v1/orders")
                .then().statusCode(202).body("customerId", equalTo("nora"));
    }

    @Test
    void placingForAnotherCustomerIs403AndPlacesNothing() {
        given().auth().oauth2(Tokens.customer("mallory")).contentType(ContentType.JSON).body(order("victim-1", "A", 1))
                .when().post("/api/v1/orders")
                .then().statusCode(403).contentType("application/problem+json").body("status", equalTo(403));
        given().auth().oauth2(Tokens.operator()).queryParam("customerId", "victim-1").get("/api/v1/orders")
                .then().statusCode(200).body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void anotherCustomersOrderIs404LikeAMissingOne() {
        String id = given().auth().oauth2(Tokens.customer("owner-1")).contentType(ContentType.JSON).body(order("owner-1", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
        given().auth().oauth2(Tokens.customer("owner-1")).get("/api/v1/orders/" + id).then().statusCode(200);
        var other = given().auth().oauth2(Tokens.customer("snoop-1")).get("/api/v1/orders/" + id)
                .then().statusCode(404).contentType("application/problem+json").extract().jsonPath();
        var missing = given().auth().oauth2(Tokens.customer("snoop-1")).get("/api/v1/orders/" + UUID.randomUUID())
                .then().statusCode(404).extract().jsonPath();
        assertEquals(missing.getString("title"), other.getString("title"));
        assertEquals(missing.getString("type"), other.getString("type"));
    }

    @Test
    void requestsWithoutAValidTokenAre401WithABearerChallenge() {
        String body = order("eve", "A", 1);
        for (String token : new String[]{null, "not-a-jwt", Tokens.expired("eve", java.util.Set.of("customer")),
                Tokens.foreignSignature("eve", java.util.Set.of("customer")), Tokens.wrongIssuer("eve", java.util.Set.of("customer")),
                Tokens.wrongAudience("eve", java.util.Set.of("customer"))}) {
            var request = token == null ? given() : given().auth().oauth2(token);
            request.contentType(ContentType.JSON).body(body).when().post("/api/v1/orders")
                    .then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"))
                    .body("status", equalTo(401))
                    .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("Exception")));
        }
        given().auth().oauth2(Tokens.operator()).queryParam("customerId", "eve").get("/api/v1/orders")
                .then().statusCode(200).body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void aTokenWithoutTheRightRoleIs403() {
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(order("operator-1", "A", 1))
                .when().post("/api/v1/orders").then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(Tokens.customer("cust-9")).get("/api/v1/orders/" + UUID.randomUUID() + "/journey")
                .then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void customersListTheirOwnOrdersNewestFirstPageByPage() {
        String me = "lister-" + UUID.randomUUID().toString().substring(0, 8);
        java.util.List<String> mine = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            mine.add(0, given().auth().oauth2(Tokens.customer(me)).contentType(ContentType.JSON).body(order(me, "L-" + i, 1))
                    .when().post("/api/v1/orders").then().statusCode(202).extract().path("id"));
        }
        given().auth().oauth2(Tokens.customer("other-" + me)).contentType(ContentType.JSON).body(order("other-" + me, "L", 1))
                .when().post("/api/v1/orders").then().statusCode(202);
        java.util.List<String> seen = new java.util.ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = given().auth().oauth2(Tokens.customer(me)).queryParam("limit", 2);
            if (cursor != null) {
                req = req.queryParam("cursor", cursor);
            }
            var page = req.get("/api/v1/orders").then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.id"));
            page.getList("items.customerId").forEach(c -> assertEquals(me, c));
            cursor = page.getString("nextCursor");
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(mine, seen, "own orders, newest first, each exactly once");
        assertEquals(3, pages);
        // A customer cannot widen the query to someone else's orders.
        given().auth().oauth2(Tokens.customer(me)).queryParam("customerId", "other-" + me).get("/api/v1/orders")
                .then().statusCode(200).body("items.customerId", org.hamcrest.Matchers.everyItem(equalTo(me)));
        given().auth().oauth2(Tokens.customer(me)).queryParam("status", "CONFIRMED").get("/api/v1/orders")
                .then().statusCode(200).body("items", org.hamcrest.Matchers.empty());
        given().auth().oauth2(Tokens.customer(me)).queryParam("status", "PENDING").get("/api/v1/orders")
                .then().statusCode(200).body("items.size()", equalTo(5));
    }

    @Test
    void invalidListParametersAre400() {
        given().auth().oauth2(Tokens.customer("x")).queryParam("cursor", "garbage!").get("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("cursor"));
        given().auth().oauth2(Tokens.customer("x")).queryParam("status", "SHIPPED").get("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(Tokens.customer("x")).queryParam("limit", 0).get("/api/v1/orders").then().statusCode(400);
        given().auth().oauth2(Tokens.customer("x")).queryParam("limit", 101).get("/api/v1/orders").then().statusCode(400);
    }

    @Test
    void idempotencyKeysBelongToTheirCustomer() {
        String key = UUID.randomUUID().toString();
        String first = given().auth().oauth2(Tokens.customer("kim")).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(order("kim", "A", 1)).when().post("/api/v1/orders").then().statusCode(202).extract().path("id");
        String second = given().auth().oauth2(Tokens.customer("lee")).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(order("lee", "A", 1)).when().post("/api/v1/orders").then().statusCode(202)
                .body("customerId", equalTo("lee")).extract().path("id");
        org.junit.jupiter.api.Assertions.assertNotEquals(first, second);
    }

    @Test
    void emptyItemsIs400() {
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).body("{\"customerId\":\"a\",\"items\":[]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items"));
    }

    @Test
    void quantityOutOfRangeIs400() {
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).body(order("a", "A", 0)).when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items[0].quantity"));
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).body(order("a", "A", 1001)).when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items[0].quantity"));
    }

    @Test
    void moreThan100LinesIs400() {
        String lines = IntStream.range(0, 101).mapToObj(i -> "{\"sku\":\"S" + i + "\",\"quantity\":1}").collect(Collectors.joining(","));
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).body("{\"customerId\":\"a\",\"items\":[" + lines + "]}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("items"));
    }

    @Test
    void callbackToAnInternalAddressIs400() {
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON)
                .body("{\"customerId\":\"a\",\"items\":[{\"sku\":\"A\",\"quantity\":1}],\"callbackUrl\":\"http://169.254.169.254/latest\"}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("callbackUrl"));
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON)
                .body("{\"customerId\":\"a\",\"items\":[{\"sku\":\"A\",\"quantity\":1}],\"callbackUrl\":\"ftp://example.com/x\"}")
                .when().post("/api/v1/orders")
                .then().statusCode(400).body("errors.field", hasItem("callbackUrl"));
    }

    @Test
    void missingBodyIs400() {
        given().auth().oauth2(Tokens.customer("a")).contentType(ContentType.JSON).when().post("/api/v1/orders")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void unknownOrderIs404Problem() {
        given().auth().oauth2(Tokens.operator()).when().get("/api/v1/orders/" + UUID.randomUUID())
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(Tokens.operator()).when().get("/api/v1/orders/not-a-uuid").then().statusCode(404);
    }

    @Test
    void openApiDocumentDescribesTheOrdersApi() {
        given().when().get("/q/openapi?format=json")
                .then().statusCode(200).body("paths.'/api/v1/orders'.post.responses.'202'.description", org.hamcrest.Matchers.notNullValue());
    }
}
