package dev.shop.order.ops;

import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;

/** The ops page's chart and alert endpoints when no Prometheus is configured (the test default). */
@QuarkusTest
class OpsChartsTests {

    @Test
    void chartsAreListedForOperatorsInPageOrder() {
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/charts").then().statusCode(200)
                .body("name", hasItems("orders-rate", "saga-latency", "saga-funnel", "cancellations", "outbox-lag",
                        "queue-depth", "consumer-rate", "dead-letters", "alerts", "invariant-violations"))
                .body("[0].name", equalTo("orders-rate"));
    }

    @Test
    void chartsAndAlertsAnswerPrometheusNotConfiguredAsAProblem() {
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/charts/orders-rate").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "60")
                .body("title", equalTo("Prometheus not configured")).body("detail", startsWith("order-svc has no shop.ops.prometheus-url"));
        given().auth().oauth2(Tokens.admin()).get("/api/v1/ops/alerts").then().statusCode(503)
                .body("title", equalTo("Prometheus not configured"));
    }

    @Test
    void customersAndAnonymousCallersAreRefused() {
        given().auth().oauth2(Tokens.customer("carla")).get("/api/v1/ops/charts").then().statusCode(403);
        given().auth().oauth2(Tokens.customer("carla")).get("/api/v1/ops/charts/orders-rate").then().statusCode(403);
        given().auth().oauth2(Tokens.customer("carla")).get("/api/v1/ops/alerts").then().statusCode(403);
        given().get("/api/v1/ops/charts/orders-rate").then().statusCode(401);
        given().get("/api/v1/ops/alerts").then().statusCode(401);
    }

    @Test
    void anUnknownChartIsNotFoundAndTheRangeIsBounded() {
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/charts/sum(up)").then().statusCode(404);
        given().auth().oauth2(Tokens.operator()).queryParam("minutes", 0).get("/api/v1/ops/charts/orders-rate").then().statusCode(400);
        given().auth().oauth2(Tokens.operator()).queryParam("minutes", 361).get("/api/v1/ops/charts/orders-rate").then().statusCode(400);
    }
}
