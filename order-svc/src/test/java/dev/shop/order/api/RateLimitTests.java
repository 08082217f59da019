package dev.shop.order.api;

import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
@TestProfile(RateLimitTests.TightLimit.class)
class RateLimitTests {

    /** Burst of 3, then one placement per 20 s: the test sees the refusal long before a refill. */
    public static class TightLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shop.order.rate-limit.capacity", "3", "shop.order.rate-limit.per-second", "0.05");
        }
    }

    private static Response place(String customer) {
        return given().auth().oauth2(Tokens.customer(customer)).contentType(ContentType.JSON)
                .body("{\"items\":[{\"sku\":\"RL-1\",\"quantity\":1}]}").when().post("/api/v1/orders");
    }

    @Test
    void aCustomerOverItsLimitGets429WithRetryAfterWhileOthersStillOrder() {
        String greedy = "greedy-" + UUID.randomUUID().toString().substring(0, 8);
        String patient = "patient-" + UUID.randomUUID().toString().substring(0, 8);
        for (int remaining = 2; remaining >= 0; remaining--) {
            place(greedy).then().statusCode(202).header("RateLimit-Limit", "3").header("RateLimit-Remaining", String.valueOf(remaining));
        }
        place(greedy).then().statusCode(429).contentType("application/problem+json")
                .header("Retry-After", notNullValue())
                .header("RateLimit-Remaining", "0")
                .body("type", equalTo("urn:shop:problem:rate-limited"))
                .body("status", equalTo(429));
        place(greedy).then().statusCode(429);
        int retryAfter = Integer.parseInt(place(greedy).header("Retry-After"));
        org.junit.jupiter.api.Assertions.assertTrue(retryAfter >= 1 && retryAfter <= 20, "Retry-After " + retryAfter);

        place(patient).then().statusCode(202);
        // Refusals wrote nothing: exactly the three accepted orders exist.
        given().auth().oauth2(Tokens.operator()).queryParam("customerId", greedy).get("/api/v1/orders")
                .then().statusCode(200).body("items.size()", equalTo(3));
    }
}
