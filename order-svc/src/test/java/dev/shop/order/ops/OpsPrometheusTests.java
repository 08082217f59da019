package dev.shop.order.ops;

import com.sun.net.httpserver.HttpServer;
import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chart and alert endpoints against a stand-in Prometheus (JDK HTTP server) that records the queries it gets. */
@QuarkusTest
@TestProfile(OpsPrometheusTests.WithPrometheus.class)
class OpsPrometheusTests {

    // The profile is instantiated in JUnit's class loader and the test in Quarkus's, so each has its own
    // statics: the stand-in is started once, by the profile, and its state lives in system properties.
    private static final String PORT = "ops-test.prometheus-port";
    private static final String QUERIES = "ops-test.queries";
    /** Empty: answer; otherwise the status to fail with. */
    private static final String FAIL_WITH = "ops-test.fail-with";

    static synchronized List<String> queries() {
        String all = System.getProperty(QUERIES, "");
        return all.isEmpty() ? List.of() : List.of(all.split("\n"));
    }

    static synchronized void clearQueries() {
        System.setProperty(QUERIES, "");
    }

    private static synchronized void recordQuery(String q) {
        String all = System.getProperty(QUERIES, "");
        System.setProperty(QUERIES, all.isEmpty() ? q : all + "\n" + q);
    }

    static void failWith(int status) {
        System.setProperty(FAIL_WITH, status == 0 ? "" : String.valueOf(status));
    }

    public static class WithPrometheus implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            if (System.getProperty(PORT) == null) {
                System.setProperty(PORT, String.valueOf(prometheus().getAddress().getPort()));
            }
            return Map.of("shop.ops.prometheus-url", "http://127.0.0.1:" + System.getProperty(PORT),
                    "shop.ops.prometheus-timeout", "1s");
        }
    }

    private static HttpServer prometheus() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/v1/query_range", exchange -> {
                Map<String, String> params = new java.util.HashMap<>();
                for (String p : exchange.getRequestURI().getRawQuery().split("&")) {
                    String[] kv = p.split("=", 2);
                    params.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
                }
                recordQuery(params.get("query"));
                long start = Long.parseLong(params.get("start"));
                long step = Long.parseLong(params.get("step"));
                String body = """
                        {"status":"success","data":{"resultType":"matrix","result":[
                          {"metric":{"outcome":"confirmed","queue":"order-svc.events"},"values":[[%d,"4"],[%d,"NaN"]]}]}}"""
                        .formatted(start, start + step);
                respond(exchange, body);
            });
            server.createContext("/api/v1/alerts", exchange -> respond(exchange, """
                    {"status":"success","data":{"alerts":[
                      {"labels":{"alertname":"ShopOutboxLag","severity":"warning","service":"billing-svc"},"annotations":{"summary":"outbox stuck"},
                       "state":"pending","activeAt":"2026-12-01T10:00:00Z","value":"61"},
                      {"labels":{"alertname":"ShopServiceDown","severity":"critical","service":"inventory-svc"},"annotations":{"summary":"down"},
                       "state":"firing","activeAt":"2026-12-01T10:05:00Z","value":"0"}]}}"""));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body) throws IOException {
        String fail = System.getProperty(FAIL_WITH, "");
        int status = fail.isEmpty() ? 200 : Integer.parseInt(fail);
        byte[] bytes = (status == 200 ? body : "{\"status\":\"error\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void aNamedChartRunsItsServerSideQueriesAndAlignsTheAnswer() {
        failWith(0);
        clearQueries();
        JsonPath chart = given().auth().oauth2(Tokens.operator()).queryParam("minutes", 5).get("/api/v1/ops/charts/orders-rate")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(java.util.Set.of("sum(rate(shop_orders_placed_total[1m]))", "sum by (outcome) (rate(shop_orders_finished_total[1m]))"),
                java.util.Set.copyOf(queries()), "the catalogue's queries, run concurrently");
        assertEquals(61, chart.getList("timestamps").size(), "5 minutes at the 5 s minimum step, both ends included");
        assertEquals(List.of("placed", "confirmed"), chart.getList("series.label"));
        assertEquals(4.0f, chart.getFloat("series[1].values[0]"));
        assertNull(chart.get("series[1].values[1]"), "NaN is a gap");
        assertEquals(2, chart.getInt("points"), "one finite sample per series");
    }

    @Test
    void theQueueChartIsLimitedToOrderSvcsOwnVirtualHost() {
        failWith(0);
        clearQueries();
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/charts/queue-depth").then().statusCode(200)
                .body("series[0].label", equalTo("order-svc.events"));
        assertTrue(queries().get(0).contains("vhost=\"shop-test-order\""), queries().toString());
    }

    @Test
    void alertsAreListedFiringFirst() {
        failWith(0);
        given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/alerts").then().statusCode(200)
                .body("name", equalTo(List.of("ShopServiceDown", "ShopOutboxLag")))
                .body("[0].state", equalTo("firing")).body("[0].severity", equalTo("critical"))
                .body("[0].labels.service", equalTo("inventory-svc")).body("[1].summary", equalTo("outbox stuck"));
    }

    @Test
    void aFailingPrometheusIsReportedAsUnavailable() {
        failWith(500);
        try {
            given().auth().oauth2(Tokens.operator()).get("/api/v1/ops/charts/saga-latency").then().statusCode(503)
                    .contentType("application/problem+json").body("title", equalTo("Prometheus unavailable"));
        } finally {
            failWith(0);
        }
    }
}
