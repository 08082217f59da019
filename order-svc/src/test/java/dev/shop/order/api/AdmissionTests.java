package dev.shop.order.api;

import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load shedding: nothing plays inventory here, so placed orders stay PENDING until the (test) saga
 * timeout of 5 s. With a limit of 2 orders overdue after 1 s, placements are refused with 503 once
 * the backlog builds, nothing is stored for a refused request, and orders are accepted again once
 * the backlog is gone (here: cancelled by the timeout).
 */
@QuarkusTest
@TestProfile(AdmissionTests.Shedding.class)
class AdmissionTests {

    public static class Shedding implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("shop.order.admission.max-overdue", "2",
                    "shop.order.admission.overdue-after", "1s",
                    "shop.order.admission.refresh-interval", "0.2s");
        }
    }


    /** /q/metrics on the management interface (its test port: 9001 unless configured). */
    private static String metricsUrl() {
        return "http://localhost:" + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001) + "/q/metrics";
    }

    private static Response place(String key, String customer) {
        return place(key, customer, 1);
    }

    private static Response place(String key, String customer, int quantity) {
        return given().auth().oauth2(Tokens.customer(customer)).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body("{\"items\":[{\"sku\":\"SHED-1\",\"quantity\":" + quantity + "}]}")
                .when().post("/api/v1/orders");
    }

    @Test
    void placementsAreShedWhileTheSagaIsBehindAndAcceptedAgainAfterwards() {
        for (int i = 0; i < 3; i++) {
            place(UUID.randomUUID().toString(), "backlog-" + i).then().statusCode(202);
        }
        // The probe repeats one idempotent request, so it adds no orders of its own.
        String probe = UUID.randomUUID().toString();
        Eventually.await(Duration.ofSeconds(5), () -> place(probe, "probe").statusCode(), status -> status == 503,
                "placement refused while 3 orders are overdue");

        String refusedKey = UUID.randomUUID().toString();
        place(refusedKey, "refused").then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "5")
                .body("type", equalTo("urn:shop:problem:overloaded"))
                .body("status", equalTo(503))
                .body("detail", containsString("retry later"));

        // The timeout cancels the backlog; then orders are accepted again.
        Eventually.await(Duration.ofSeconds(15), () -> place(probe, "probe").statusCode(), status -> status == 202,
                "placements accepted again once the backlog is gone");
        // The refused request stored nothing: its key is still free for a different body.
        place(refusedKey, "refused", 2).then().statusCode(202).body("customerId", equalTo("refused"))
                .body("items[0].quantity", equalTo(2));

        String metrics = given().get(metricsUrl()).then().statusCode(200).extract().asString();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("shop_orders_shed_total") && !l.endsWith(" 0.0")),
                "shed placements are counted");
        assertTrue(metrics.contains("shop_orders_overdue"), "the overdue gauge is exported");
    }
}
