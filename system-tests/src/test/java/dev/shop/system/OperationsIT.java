package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.shop.system.Api.*;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an operator sees and does: dead letters, replay, the order journey page, one trace per order. */
class OperationsIT {

    private static final Path ROOT = Path.of(System.getProperty("shop.root", "..")).toAbsolutePath().normalize();

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    private static String metric(String svc, String name) {
        return given().baseUri(ShopSystem.managementUrl(svc)).get("/q/metrics").then().statusCode(200).extract().asString()
                .lines().filter(l -> l.startsWith(name + "{")).findFirst().orElse("");
    }

    private static String shopCli(String... args) {
        try {
            return runShopCli(args);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String runShopCli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("shop").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SHOP_INVENTORY_URL", ShopSystem.url("inventory"));
        pb.environment().put("SHOP_OPERATOR", "e2e-test");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "./shop " + String.join(" ", args) + " failed:\n" + out);
        return out;
    }

    /** Inventory's own database role (the table owner) loses, then regains, INSERT on reservations. */
    private static final String OWNER_PRIVILEGE = "do $$ begin execute format('%1$s insert on reservation %2$s %%I', "
            + "(select tableowner from pg_tables where schemaname = 'public' and tablename = 'reservation')); end $$";

    @Test
    void failingStepIsDeadLetteredAndReplayedOnceTheCauseIsFixed() throws Exception {
        String sku = unique("FIX");
        String customer = unique("olga");
        product(sku, "3.00", 10);
        account(customer, "30.00");
        String db = "shop_inventory_" + ShopSystem.ENV;
        // The cause: a deploy went wrong and inventory may no longer write reservations.
        ShopSystem.psql(db, OWNER_PRIVILEGE.formatted("revoke", "from"));
        String id;
        try {
            id = place(customer, sku, 2);
            Eventually.await(Duration.ofSeconds(60), () -> shopCli("dlq", "inventory", "list"), out -> out.contains("order.placed")
                    && out.contains("permission denied"), "dead letter listed by ./shop dlq");
            Eventually.await(Duration.ofSeconds(30), () -> metric("inventory", "shop_dead_letters_pending"),
                    line -> line.endsWith(" 1.0"), "shop_dead_letters_pending = 1");
            assertTrue(given().baseUri(ShopSystem.managementUrl("inventory")).get("/q/health/ready").then().statusCode(200)
                    .extract().asString().replaceAll("\\s", "").contains("\"degraded\":true"), "readiness reports degraded messaging but stays UP");
            assertEquals("PENDING", order(id).getString("status"));
        } finally {
            ShopSystem.psql(db, OWNER_PRIVILEGE.formatted("grant", "to")); // the cause is fixed
        }
        String replayed = shopCli("dlq", "inventory", "replay", "--all");
        assertTrue(replayed.contains("\"replayed\":1"), replayed);
        assertEquals("CONFIRMED", awaitFinished(id).getString("status"));
        Eventually.await(Duration.ofSeconds(30), () -> metric("inventory", "shop_dead_letters_pending"),
                line -> line.endsWith(" 0.0"), "shop_dead_letters_pending back to 0");
        assertTrue(shopCli("dlq", "inventory", "list").startsWith("0 dead letter(s)"));
        JsonPath audit = asOperator().baseUri(ShopSystem.url("inventory")).queryParam("status", "REPLAYED").get("/admin/dead-letters")
                .then().statusCode(200).extract().jsonPath();
        assertTrue(audit.getList("findAll { it.body.contains('" + id + "') }").size() == 1, "replayed dead letter kept for audit");
    }

    @Test
    void journeyShowsEveryStepAcrossServicesOnOneTrace() {
        String sku = unique("J");
        String customer = unique("jo");
        product(sku, "2.00", 5);
        account(customer, "10.00");
        String id = place(customer, sku, 1);
        awaitFinished(id);
        JsonPath journey = Eventually.await(Duration.ofSeconds(30), () -> asOperator().baseUri(ShopSystem.url("order"))
                        .get("/api/v1/orders/" + id + "/journey").then().statusCode(200).extract().jsonPath(),
                j -> j.getList("steps.type").containsAll(List.of("order.placed", "stock.reserved", "payment.authorized",
                        "order.confirmed", "stock.committed")), "full journey");
        assertEquals(Set.of("order-svc", "inventory-svc", "billing-svc"), new HashSet<>(journey.getList("steps.service")));
        Set<String> traces = new HashSet<>(journey.getList("steps.traceId"));
        assertEquals(1, traces.size(), "one trace id across the saga: " + traces);
        String traceId = traces.iterator().next();
        assertTrue(traceId != null && traceId.matches("[0-9a-f]{32}"), traceId);

        // The spans themselves: all four services exported spans of this one trace to the OTLP receiver.
        Set<String> names = Set.of("order-svc", "inventory-svc", "billing-svc", "notification-svc");
        assertEquals(names, Eventually.await(Duration.ofSeconds(30), () -> ShopSystem.get().traces.servicesWithSpansOf(traceId, names),
                names::equals, "spans of trace " + traceId + " from every service"));

        // Every service's log lines for this order carry the same trace id (JSON logs with MDC).
        for (String svc : ShopSystem.PORTS.keySet()) {
            Path log = ROOT.resolve("system-tests/target/" + ShopSystem.ENV + "-logs/" + svc + "-svc.log");
            Eventually.await(Duration.ofSeconds(10), () -> linesFor(log, id), lines -> !lines.isEmpty(), svc + " logged order " + id);
            for (String line : linesFor(log, id)) {
                assertTrue(line.contains("\"traceId\":\"" + traceId + "\""), svc + " log line without the order's trace: " + line);
            }
        }
    }

    private static List<String> linesFor(Path log, String orderId) {
        try {
            return Files.readAllLines(log).stream().filter(l -> l.startsWith("{") && l.contains("\"orderId\":\"" + orderId + "\"")).toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void journeyPageRendersTheStepsInAHeadlessBrowser() throws Exception {
        String sku = unique("P");
        String customer = unique("pat");
        product(sku, "2.00", 5);
        account(customer, "10.00");
        String id = place(customer, sku, 1);
        awaitFinished(id);
        String dom = Eventually.await(Duration.ofSeconds(60), () -> headlessDom(ShopSystem.url("order") + "/ops/?orderId=" + id + "#token=" + dev.shop.eventing.testing.Tokens.operator()),
                d -> d.contains("order.confirmed") && d.contains("inventory-svc") && d.contains("reachable"), "rendered journey page");
        assertTrue(dom.contains("CONFIRMED"), dom);
        assertTrue(dom.contains("stock.reserved") && dom.contains("payment.authorized"), dom);
        assertTrue(dom.contains("billing-svc") && dom.contains("notification-svc"), "DLQ state of every service: " + dom);
    }

    private static String headlessDom(String url) {
        String browser = Map.of("chromium", "/usr/bin/chromium", "chrome", "/usr/bin/google-chrome").values().stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no headless browser: apt-get install chromium (./shop test does)"));
        try {
            Path profile = Files.createTempDirectory("shop-chromium");
            Process p = new ProcessBuilder(browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--user-data-dir=" + profile,
                    "--virtual-time-budget=8000", "--dump-dom", url).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return dom;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
