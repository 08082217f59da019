package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static dev.shop.system.Api.*;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The correctness monitor over the four running services (e2e: a run every 2 s, 3 s grace): normal
 * traffic reports nothing; a payment row deleted by hand and a stock count changed by hand are
 * reported as exactly the order, account and SKU they break, in the report and the metric, and both
 * clear once repaired.
 */
class CorrectnessIT {

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    private static JsonPath report() {
        return asOperator().baseUri(ShopSystem.url("order")).get("/api/v1/ops/correctness").then().statusCode(200).extract().jsonPath();
    }

    /** The report of the first monitor run that started after now (so it saw everything done before this call). */
    private static JsonPath nextReport() {
        OffsetDateTime after = OffsetDateTime.now().plusSeconds(1);
        return Eventually.await(Duration.ofSeconds(30), CorrectnessIT::report,
                r -> r.getString("lastRun") != null && OffsetDateTime.parse(r.getString("lastRun")).isAfter(after),
                "a correctness run after " + after);
    }

    /** The first report with exactly these violations; fails, showing the last report, if none comes within 30 s. */
    private static JsonPath reportShowing(Set<String> expected) {
        return Eventually.await(Duration.ofSeconds(30), CorrectnessIT::report, r -> violations(r).equals(expected),
                "a report with exactly " + expected);
    }

    /** "invariant subject" of every current violation. */
    private static Set<String> violations(JsonPath report) {
        List<Map<String, String>> list = report.getList("violations");
        return list.stream().map(v -> v.get("invariant") + " " + v.get("subject")).collect(Collectors.toCollection(TreeSet::new));
    }

    private static double gauge(String invariant) {
        return given().baseUri(ShopSystem.managementUrl("order")).get("/q/metrics").then().statusCode(200).extract().asString()
                .lines().filter(l -> l.startsWith("shop_invariant_violations{") && l.contains("invariant=\"" + invariant + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    @Test
    void injectedViolationsAreReportedExactlyAndClearAfterRepair() throws Exception {
        String sku = unique("MON");
        String customer = unique("monica");
        product(sku, "10.00", 10);
        account(customer, "100.00");
        String confirmed = place(customer, sku, 2);
        String declined = place(customer, sku, 9); // 90.00 > the 80.00 left: declined, stock released
        assertEquals("CONFIRMED", awaitFinished(confirmed).getString("status"));
        assertEquals("CANCELLED", awaitFinished(declined).getString("status"));
        Thread.sleep(3_500); // past the grace period: the next run judges both orders

        // Normal traffic: nothing of this test is reported, and nothing else either (the suite's other
        // tests, faults included, leave every order consistent).
        Set<String> before = violations(nextReport());
        assertEquals(Set.of(), before, "violations under normal traffic");

        // Inject: the confirmed order's payment row disappears from billing's database.
        String billingDb = "shop_billing_" + ShopSystem.ENV;
        String keep = "payment_kept_" + confirmed.replace("-", "");
        ShopSystem.psql(billingDb, "create table " + keep + " as select * from payment where order_id = '" + confirmed + "';"
                + " delete from payment where order_id = '" + confirmed + "'");
        // Exactly that order (sold but not paid) and its customer's account (credit no longer adds up); the
        // order is found when the monitor's re-verification slice reaches it again, within a few runs.
        JsonPath broken = reportShowing(Set.of("confirmed_consistent " + confirmed, "credit_conserved " + customer));
        assertTrue(broken.getString("violations.find { it.subject == '" + confirmed + "' }.detail").contains("no payment"),
                broken.prettify());
        assertEquals(1.0, gauge("confirmed_consistent"));
        assertEquals(1.0, gauge("credit_conserved"));

        // Inject: one unit of stock appears from nowhere.
        ShopSystem.psql("shop_inventory_" + ShopSystem.ENV, "update product set available = available + 1 where sku = '" + sku + "'");
        reportShowing(Set.of("confirmed_consistent " + confirmed, "credit_conserved " + customer, "stock_conserved " + sku));
        assertEquals(1.0, gauge("stock_conserved"));

        // Repair both: the report and the metrics clear.
        ShopSystem.psql(billingDb, "insert into payment select * from " + keep + "; drop table " + keep);
        ShopSystem.psql("shop_inventory_" + ShopSystem.ENV, "update product set available = available - 1 where sku = '" + sku + "'");
        assertEquals(Set.of(), violations(nextReport()));
        assertEquals(0.0, gauge("confirmed_consistent"));
        assertEquals(0.0, gauge("credit_conserved"));
        assertEquals(0.0, gauge("stock_conserved"));
    }
}
