package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.shop.system.Api.*;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops page in headless Chromium over the running services and a real Prometheus: the overview charts
 * render with data after traffic, the order journey is a waterfall of its steps in order, and a
 * screenshot of the page is kept (system-tests/target/ops-page*.png).
 *
 * <p>Prometheus (with Alertmanager and the receiver) is started by scripts/monitoring-run.sh, as AlertsIT
 * and ./shop up do, on ports of its own with a 1s scrape interval; order-svc is restarted with
 * SHOP_OPS_PROMETHEUS_URL pointing at it, and restarted without it at the end.
 */
class OpsPageIT {

    private static final Path ROOT = Path.of(System.getProperty("shop.root", "..")).toAbsolutePath().normalize();
    private static final Path DIR = ROOT.resolve("system-tests/target/ops-monitoring");
    private static final Path ARTIFACTS = ROOT.resolve("system-tests/target");
    private static final int PROMETHEUS_PORT = 18390;
    private static final String PROMETHEUS = "http://127.0.0.1:" + PROMETHEUS_PORT;
    /** Charts that must have samples after orders went through; "alerts" may rightly be empty. */
    private static final List<String> CHARTS_WITH_DATA = List.of("orders-rate", "saga-latency", "saga-funnel", "cancellations",
            "outbox-lag", "queue-depth", "consumer-rate", "dead-letters", "invariant-violations");

    /** The page as order-svc serves it before it knows a Prometheus. */
    private static String withoutPrometheus;

    @BeforeAll
    static void prometheus() throws Exception {
        ShopSystem.get();
        withoutPrometheus = browser(ShopSystem.url("order") + "/ops/#token=" + Tokens.operator(), "--dump-dom");
        Scripts.monitoring("stop", "--dir", DIR.toString());
        Scripts.deleteRecursively(DIR);
        String services = ShopSystem.PORTS.entrySet().stream()
                .map(e -> e.getKey() + "=" + ShopSystem.managementPort(e.getValue())).collect(Collectors.joining(","));
        Scripts.monitoring("start", "--dir", DIR.toString(), "--prometheus-port", String.valueOf(PROMETHEUS_PORT), "--alertmanager-port", "18393",
                "--receiver-port", "18397", "--services", services, "--backup", "none", "--interval", "1s");
        Eventually.await(Duration.ofSeconds(30), () -> query("up{job=~\"shop|rabbitmq\"} == 1"), n -> n == 5,
                "Prometheus scraping the four services and RabbitMQ");
        ShopSystem.get().restart("order", Map.of("SHOP_OPS_PROMETHEUS_URL", PROMETHEUS));
    }

    @AfterAll
    static void stopPrometheus() throws Exception {
        ShopSystem.get().restart("order", Map.of());
        Scripts.monitoring("stop", "--dir", DIR.toString());
    }

    @Test
    void withoutPrometheusThePageSaysSo() {
        assertTrue(withoutPrometheus.contains("Prometheus not configured"), withoutPrometheus);
        assertTrue(withoutPrometheus.contains("reachable"), "the rest of the page still works: " + withoutPrometheus);
    }

    @Test
    void overviewChartsRenderWithDataAfterTraffic() throws Exception {
        String sku = unique("OV");
        String customer = unique("ovid");
        product(sku, "2.00", 100);
        account(customer, "1000.00");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(place(customer, sku, 1));
        }
        ids.add(place(customer, sku, 1000)); // more than in stock: cancelled OUT_OF_STOCK
        for (String id : ids) {
            awaitFinished(id);
        }
        // Prometheus has scraped the finished sagas and a rate over them exists.
        Eventually.await(Duration.ofSeconds(60), () -> query("sum(rate(shop_saga_duration_seconds_count[1m])) > 0"), n -> n == 1,
                "saga rate in Prometheus");
        // ... including this test's own cancellation: earlier tests' traffic satisfies the wait above, and a
        // counter series that is new in Prometheus has a rate only from its second scrape on.
        Eventually.await(Duration.ofSeconds(60), () -> query("sum by (reason) (rate(shop_orders_finished_total{outcome=\"cancelled\",reason=\"OUT_OF_STOCK\"}[1m]))"),
                n -> n == 1, "the OUT_OF_STOCK cancellation rate in Prometheus");

        String url = ShopSystem.url("order") + "/ops/#token=" + Tokens.operator();
        String dom = Eventually.await(Duration.ofSeconds(90), () -> browser(url, "--dump-dom"),
                d -> CHARTS_WITH_DATA.stream().allMatch(c -> points(d, c) > 0), "every chart with data points");
        Map<String, String> states = new LinkedHashMap<>();
        for (String chart : List.of("orders-rate", "saga-latency", "saga-funnel", "cancellations", "outbox-lag", "queue-depth",
                "consumer-rate", "dead-letters", "alerts", "invariant-violations")) {
            states.put(chart, attribute(figure(dom, chart), "data-state"));
        }
        assertTrue(states.values().stream().allMatch("ok"::equals), "Prometheus answered every chart: " + states);
        assertTrue(count(dom, "<canvas") >= CHARTS_WITH_DATA.size(), "a uPlot canvas per chart with data");
        assertTrue(dom.contains("p99") && dom.contains("OUT_OF_STOCK") && dom.contains("authorized"), "series legends: " + dom);
        assertTrue(dom.contains("Prometheus answered for every chart."), dom);
        assertFalse(dom.contains("loading…"), "every section loaded");

        Path shot = ARTIFACTS.resolve("ops-page.png");
        Files.deleteIfExists(shot);
        browser(url, "--screenshot=" + shot);
        assertTrue(Files.size(shot) > 20_000, "screenshot of the overview kept at " + shot);
    }

    @Test
    void theJourneyIsAWaterfallOfTheOrdersStepsInOrder() throws Exception {
        String sku = unique("WF");
        String customer = unique("wanda");
        product(sku, "2.00", 5);
        account(customer, "10.00");
        String id = place(customer, sku, 1);
        assertEquals("CONFIRMED", awaitFinished(id).getString("status"));

        String url = ShopSystem.url("order") + "/ops/?orderId=" + id + "#token=" + Tokens.operator();
        String dom = Eventually.await(Duration.ofSeconds(60), () -> browser(url, "--dump-dom"),
                d -> steps(d).contains("stock.committed"), "waterfall with every step");
        List<String> steps = steps(dom);
        List<String> saga = List.of("order.placed", "stock.reserved", "payment.authorized", "order.confirmed", "stock.committed");
        assertEquals(saga, steps.stream().filter(saga::contains).toList(), "the saga's steps in order: " + steps);
        assertEquals("order.placed", steps.get(0));
        // Time between steps is attributed: the broker hop (measured where order-svc received the cause) and the producer.
        assertTrue(dom.contains("data-type=\"stock.reserved\" data-service=\"inventory-svc\" data-cause=\"order.placed\""), dom);
        assertTrue(dom.contains("data-type=\"order.confirmed\" data-service=\"order-svc\" data-cause=\"payment.authorized\""), dom);
        // order-svc's copy of stock.reserved may reach it after billing already answered its own copy (a
        // loaded machine): then that hop is unknown and the page shows the span unsplit instead of guessing.
        io.restassured.path.json.JsonPath journey = asOperator().baseUri(ShopSystem.url("order"))
                .get("/api/v1/orders/" + id + "/journey").then().statusCode(200).extract().jsonPath();
        List<String> types = journey.getList("steps.type");
        String reservedReceived = journey.getString("steps[" + types.indexOf("stock.reserved") + "].receivedAt");
        String authorizedAt = journey.getString("steps[" + types.indexOf("payment.authorized") + "].time");
        // (compared in milliseconds, as the page's Date.parse sees them)
        boolean billingHopKnown = java.time.Instant.parse(reservedReceived).toEpochMilli() <= java.time.Instant.parse(authorizedAt).toEpochMilli();
        assertEquals(billingHopKnown ? 2 : 1, count(dom, "class=\"seg broker\""),
                "broker hops before payment.authorized (" + (billingHopKnown ? "measured" : "unknown") + ") and order.confirmed: " + dom);
        assertEquals(billingHopKnown ? 0 : 1, count(dom, " unsplit\""), "unsplit spans: " + dom);
        // (an unsplit span carries a second class: match the service's class as a prefix)
        assertTrue(count(dom, "class=\"seg svc-billing-svc") >= 1 && count(dom, "class=\"seg svc-inventory-svc") >= 2, dom);
        Matcher trace = Pattern.compile("<code class=\"trace-id\">([0-9a-f]{32})</code>").matcher(dom);
        assertTrue(trace.find(), "the trace id: " + dom);
        assertTrue(dom.contains("No pending dead letter of this order."), dom);

        Path shot = ARTIFACTS.resolve("ops-page-journey.png");
        Files.deleteIfExists(shot);
        browser(url, "--screenshot=" + shot);
        assertTrue(Files.size(shot) > 20_000, "screenshot of the waterfall kept at " + shot);
    }

    // ---------------------------------------------------------------- page helpers

    /** The saga steps of the waterfall, in page order (data-type of each row). */
    private static List<String> steps(String dom) {
        List<String> types = new ArrayList<>();
        Matcher m = Pattern.compile("<li data-index=\"(\\d+)\" data-type=\"([^\"]+)\"").matcher(dom);
        int expected = 1;
        while (m.find()) {
            assertEquals(expected++, Integer.parseInt(m.group(1)), "rows numbered in order");
            types.add(m.group(2));
        }
        return types;
    }

    private static String figure(String dom, String chart) {
        Matcher m = Pattern.compile("<figure [^>]*data-chart=\"" + Pattern.quote(chart) + "\"[^>]*>").matcher(dom);
        return m.find() ? m.group() : "";
    }

    private static String attribute(String tag, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
        return m.find() ? m.group(1) : "";
    }

    private static int points(String dom, String chart) {
        String value = attribute(figure(dom, chart), "data-points");
        return value.isEmpty() ? 0 : Integer.parseInt(value);
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    /** Headless Chromium: {@code --dump-dom} returns the DOM after the page's scripts ran; {@code --screenshot=FILE} writes a PNG. */
    private static String browser(String url, String mode) {
        String browser = Stream.of("/usr/bin/chromium", "/usr/bin/google-chrome").filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no headless browser: apt-get install chromium (./shop test does)"));
        try {
            Path profile = Files.createTempDirectory("shop-chromium");
            try {
                Process p = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--hide-scrollbars",
                        "--user-data-dir=" + profile, "--window-size=1400,2200", "--virtual-time-budget=8000", mode, url)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished");
                return out;
            } finally {
                Scripts.deleteRecursively(profile);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- Prometheus and its script

    private static int query(String promql) {
        return given().baseUri(PROMETHEUS).queryParam("query", promql).get("/api/v1/query").then().statusCode(200)
                .extract().jsonPath().getList("data.result").size();
    }
}
