package dev.shop.order.messaging;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A valid-looking event whose publisher is not its producer is refused. Here the harness publishes
 * without a user-id and this profile does not accept unidentified publishers, which is what a
 * billing-svc sending a stock.reserved body (it may use payment.* keys only) looks like: it cannot
 * claim inventory-svc's user-id, because RabbitMQ refuses a user-id other than the login (checked
 * against 3.10.8, docs/security.md), and its own user-id is not inventory-svc's.
 */
@QuarkusTest
@TestProfile(PublisherIdentityTests.NoTrustedPublishers.class)
class PublisherIdentityTests {

    public static class NoTrustedPublishers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shop.eventing.accept-unidentified-publishers", "false");
        }
    }

    private final BrokerClient broker = new BrokerClient("shop-test-order");

    @Test
    void anEventFromAUserThatDoesNotProduceItsTypeIsDeadLetteredUnapplied() {
        String id = given().auth().oauth2(Tokens.customer("forged-1")).contentType(ContentType.JSON)
                .body("{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":2}]}").post("/api/v1/orders")
                .then().statusCode(202).extract().path("id");
        assertTrue(broker.publish(BrokerClient.cloudEvent("stock.reserved", id, Map.of("orderId", id, "customerId", "forged-1",
                "items", List.of(Map.of("sku", "BOOK-1", "quantity", 2, "unitPrice", 0.01)), "total", 0.02))));
        JsonPath dead = Eventually.await(Duration.ofSeconds(15), () -> given().auth().oauth2(Tokens.operator())
                        .queryParam("status", "PENDING").get("/admin/dead-letters").then().statusCode(200).extract().jsonPath(),
                j -> j.getList("findAll { it.body.contains('" + id + "') }").size() == 1, "forged event parked");
        String reason = dead.getString("find { it.body.contains('" + id + "') }.reason");
        assertTrue(reason.contains("unauthorised publisher") && reason.contains("no AMQP user-id") && reason.contains("only inventory-svc"), reason);
        JsonPath order = given().auth().oauth2(Tokens.operator()).get("/api/v1/orders/" + id).then().statusCode(200).extract().jsonPath();
        assertEquals("PENDING", order.getString("status"));
        org.junit.jupiter.api.Assertions.assertNull(order.get("total"), "the forged price was not applied");
    }
}
