package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.shop.system.Api.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups that restore, proven with scripts/backup.sh against the real PostgreSQL cluster: WAL is
 * shipped continuously into a folder and replication slot of this test's own (never the dev ones),
 * a service's database is dropped while orders flow, and `restore --to latest` brings it back while
 * the other three services keep running. Every accepted order must end terminal and agree across
 * the services; RPO and RTO are printed.
 */
class RestoreDrillIT {

    private static final Path ROOT = Path.of(System.getProperty("shop.root", "..")).toAbsolutePath().normalize();
    private static final Path BACKUPS = ROOT.resolve("system-tests/target/restore-drill-backups");
    private static final String SLOT = "shop_backup_e2e_drill";
    private static final int EXPORTER_PORT = 19190;
    private static final BackupCli BACKUP = new BackupCli(BACKUPS, SLOT, EXPORTER_PORT);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void shipWal() throws IOException {
        ShopSystem.get(); // the e2e databases exist and are migrated before the first base backup
        BACKUP.clean();
        backupCli("ship", "start"); // slot, pg_receivewal, exporter, and a first base backup
    }

    @AfterAll
    static void dropSlot() {
        // Always: a forgotten slot keeps WAL on the server (max_slot_wal_keep_size caps it, but still).
        backupCli("ship", "stop", "--drop-slot");
        assertEquals("", psql("postgres", "SELECT slot_name FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'"));
    }

    @Test
    void databaseDroppedMidRunIsRestoredToLatestAndEveryOrderEndsConsistent() throws Exception {
        String plenty = unique("RD");
        String scarce = unique("RS");
        String rich = unique("rita");
        String poor = unique("pete");
        product(plenty, "1.00", 10_000);
        product(scarce, "1.00", 5);              // runs out: OUT_OF_STOCK cancellations
        account(rich, "100000.00");
        account(poor, "3.00");                   // runs out: PAYMENT_DECLINED cancellations
        Map<String, String[]> placed = Collections.synchronizedMap(new HashMap<>()); // id -> customer, sku
        AtomicBoolean running = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            int i = 0;
            while (running.get()) {
                String customer = i % 5 == 4 ? poor : rich;
                String sku = i % 7 == 6 ? scarce : plenty;
                try {
                    placed.put(place(customer, sku, 1), new String[] {customer, sku});
                } catch (AssertionError | RuntimeException e) {
                    // not accepted (e.g. shed): not an order the system owes anything
                }
                i++;
                ShopSystem.sleep(150);
            }
        }, "restore-drill-load");
        load.start();
        ShopSystem system = ShopSystem.get();
        try {
            ShopSystem.sleep(5_000);
            String victim = "inventory";
            String db = "shop_inventory_" + ShopSystem.ENV;
            int reservationsBefore = Integer.parseInt(psql(db, "SELECT count(*) FROM reservation"));
            system.stop(victim);
            Instant dropped = Instant.now();
            psql("postgres", "DROP DATABASE \"" + db + "\" WITH (FORCE)");
            assertEquals("", psql("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + db + "'"), "the database is gone");

            // The base backup the script takes after a restore is not what this drill measures.
            String out = backupCli(Map.of("SHOP_RESTORE_BACKUP_AFTER", "0"), "restore", "--service", victim, "--env", ShopSystem.ENV, "--to", "latest", "--no-service-control");
            system.start(victim, Map.of());
            system.awaitReady(victim);
            Duration outage = Duration.between(dropped, Instant.now());
            ShopSystem.sleep(4_000); // orders keep flowing through the restored service
            running.set(false);
            load.join();

            Matcher result = Pattern.compile("RESTORE-RESULT (\\{.*})").matcher(out);
            assertTrue(result.find(), "restore printed its result:\n" + out);
            io.restassured.path.json.JsonPath res = io.restassured.path.json.JsonPath.from(result.group(1));
            assertTrue(Integer.parseInt(psql(db, "SELECT count(*) FROM reservation")) >= reservationsBefore,
                    "every reservation committed before the drop is back");
            System.out.printf("%nRESTORE DRILL (latest): %d orders accepted; %s-svc database dropped at %s%n"
                            + "  RPO: %s s (last transaction recovered %s, drop committed %s; the service was stopped first: nothing it committed is lost)%n"
                            + "  RTO: %s s restore script (recovery + dump + restore + swap), %.1f s drop -> service ready again%n",
                    placed.size(), victim, dropped, res.get("rpo_seconds"), res.getString("recovered_to"), res.getString("destroyed_at"),
                    res.get("rto_seconds"), outage.toMillis() / 1000.0);
            assertNotNull(res.get("rpo_seconds"), "the drop was found in the shipped WAL");
            assertTrue(res.getFloat("rpo_seconds") <= 5.0f, "at most 5 s of committed data at risk, was " + res.get("rpo_seconds"));
        } finally {
            running.set(false);
            load.join();
            if (system.pid("inventory") < 0) {
                system.start("inventory", Map.of());
                system.awaitReady("inventory");
            }
        }

        // Every accepted order ends terminal, once, and the three services agree on it.
        assertTrue(placed.size() > 50, "orders flowed: " + placed.size());
        Map<String, Integer> confirmedPerSku = new HashMap<>();
        BigDecimal richSpent = BigDecimal.ZERO;
        Map<String, String> status = new HashMap<>();
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        for (Map.Entry<String, String[]> e : placed.entrySet()) {
            io.restassured.path.json.JsonPath finished = awaitFinished(e.getKey()); // also: exactly one notification
            String s = finished.getString("status");
            status.put(e.getKey(), s);
            outcomes.merge("CANCELLED".equals(s) ? s + "/" + finished.getString("cancellationReason") : s, 1, Integer::sum);
            if ("CONFIRMED".equals(s)) {
                confirmedPerSku.merge(e.getValue()[1], 1, Integer::sum);
                if (rich.equals(e.getValue()[0])) {
                    richSpent = richSpent.add(BigDecimal.ONE);
                }
            }
        }
        Eventually.await(SAGA_WAIT, () -> mismatches(status), List::isEmpty, "reservations and payments agree with every order");
        for (String sku : List.of(plenty, scarce)) {
            int initial = sku.equals(plenty) ? 10_000 : 5;
            int sold = confirmedPerSku.getOrDefault(sku, 0);
            Eventually.await(SAGA_WAIT, () -> stock(sku), st -> st.getInt("reserved") == 0, "no reservation left held for " + sku);
            assertEquals(initial - sold, stock(sku).getInt("available"), "stock of " + sku + " sold exactly once per confirmed order");
        }
        assertEquals(0, new BigDecimal("100000.00").subtract(richSpent).compareTo(credit(rich)), "credit charged exactly once per confirmed order");
        // TIMEOUT cancellations are orders that waited longer than the saga deadline (30 s) for the restored
        // service: terminal and compensated like any other cancellation.
        System.out.printf("  outcome: %s; 0 stuck, 0 disagreeing, stock and credit conserved%n", outcomes);
    }

    /**
     * The earlier-point drill: inventory-svc restored to a time before a batch of orders was processed.
     * The correctness monitor finds exactly the orders that now disagree; republishing order-svc's
     * event log since that time (docs/operations.md) converges the system, and nothing is applied twice
     * downstream: inventory's decisions made again carry their original event ids.
     */
    @Test
    void serviceRestoredToAnEarlierPointIsFoundByTheMonitorAndRepairedFromTheEventLog() throws Exception {
        String sku = unique("EP");
        String rich = unique("erin");
        String poor = unique("earl");
        product(sku, "2.00", 1_000);
        account(rich, "1000.00");
        account(poor, "3.00"); // two units are affordable once: later orders of earl are declined
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            before.add(place(rich, sku, 1));
        }
        before.forEach(Api::awaitFinished);
        Eventually.await(SAGA_WAIT, () -> mismatches(statuses(before)), List::isEmpty, "batch A settled in every service");
        ShopSystem.sleep(1_000);
        String restorePoint = psql("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')");
        ShopSystem.sleep(1_000);

        List<String> after = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            after.add(place(i % 4 == 3 ? poor : rich, sku, 1));
        }
        Map<String, String> status = statuses(after);
        Eventually.await(SAGA_WAIT, () -> mismatches(status), List::isEmpty, "batch B settled in every service");
        List<String> confirmedAfter = status.entrySet().stream().filter(e -> "CONFIRMED".equals(e.getValue())).map(Map.Entry::getKey).sorted().toList();
        assertTrue(confirmedAfter.size() >= 10 && confirmedAfter.size() < after.size(), "batch B has confirmed and cancelled orders: " + status);
        String journeyBefore = journeySteps(after);
        BigDecimal creditBefore = credit(rich);

        ShopSystem system = ShopSystem.get();
        system.stop("inventory");
        try {
            backupCli(Map.of("SHOP_RESTORE_BACKUP_AFTER", "0"), "restore", "--service", "inventory", "--env", ShopSystem.ENV,
                    "--to", restorePoint, "--no-service-control");
        } finally {
            system.start("inventory", Map.of());
            system.awaitReady("inventory");
        }
        String db = "shop_inventory_" + ShopSystem.ENV;
        assertEquals("0", psql(db, "SELECT count(*) FROM reservation WHERE order_id::text IN ('" + String.join("','", after) + "')"),
                "inventory is back before batch B");

        // The monitor lists exactly batch B's confirmed orders: sold and paid per order-svc and billing,
        // unknown to the restored inventory. The cancelled ones hold nothing anywhere: still consistent.
        List<String> flagged = Eventually.await(Duration.ofSeconds(30), RestoreDrillIT::flaggedOrders,
                f -> f.equals(confirmedAfter), "the monitor flags batch B's confirmed orders");
        System.out.printf("%nRESTORE DRILL (earlier point %s): the monitor flags %d order(s) that disagree%n", restorePoint, flagged.size());

        // The documented repair: order-svc republishes its event log since the restore point.
        int republished = asAdmin().baseUri(ShopSystem.url("order")).contentType(io.restassured.http.ContentType.JSON)
                .body(Map.of("since", restorePoint)).post("/admin/event-log/republish")
                .then().statusCode(200).extract().path("republished");
        assertTrue(republished >= after.size() * 2, "placed and terminal events of batch B republished: " + republished);
        Eventually.await(Duration.ofSeconds(60), RestoreDrillIT::flaggedOrders, List::isEmpty, "the monitor clears every order");
        Eventually.await(SAGA_WAIT, () -> mismatches(status), List::isEmpty, "inventory agrees again with every order of batch B");

        // Nothing applied twice downstream: statuses, credit and the journeys (one step per event id) are unchanged.
        assertEquals(status, statuses(after));
        assertEquals(0, creditBefore.compareTo(credit(rich)), "no second charge");
        assertEquals(journeyBefore, journeySteps(after), "inventory's repeated decisions carried their original event ids");
        int confirmedTotal = before.size() + confirmedAfter.size();
        Eventually.await(SAGA_WAIT, () -> stock(sku), st -> st.getInt("reserved") == 0, "nothing left reserved");
        assertEquals(1_000 - confirmedTotal, stock(sku).getInt("available"), "stock sold once per confirmed order");
        System.out.printf("  repaired: %d events republished from order-svc's event log; 0 flagged, 0 double-applied%n", republished);
    }

    private static Map<String, String> statuses(List<String> ids) {
        Map<String, String> status = new HashMap<>();
        ids.forEach(id -> status.put(id, awaitFinished(id).getString("status")));
        return status;
    }

    /** Order ids the correctness monitor currently reports (any per-order invariant). */
    private static List<String> flaggedOrders() {
        List<Map<String, String>> violations = asOperator().baseUri(ShopSystem.url("order")).get("/api/v1/ops/correctness")
                .then().statusCode(200).extract().jsonPath().getList("violations");
        return violations.stream().map(v -> v.get("subject")).filter(s -> s.matches("[0-9a-f-]{36}")).distinct().sorted().toList();
    }

    /** Every journey step (event id and type) of the given orders, as order-svc recorded them. */
    private static String journeySteps(List<String> ids) {
        return psql("shop_order_" + ShopSystem.ENV, "SELECT string_agg(event_id || ' ' || type, E'\\n' ORDER BY event_id) FROM journey_step"
                + " WHERE order_id::text IN ('" + String.join("','", ids) + "')");
    }

    @Test
    void backupMetricMovesAfterABackupAndReceiverDownShowsWithinOneScrape() throws Exception {
        String db = "shop_billing_" + ShopSystem.ENV;
        double before = metric("shop_backup_last_success_timestamp_seconds{service=\"billing-svc\",database=\"" + db + "\"}");
        assertEquals(1.0, metric("shop_backup_wal_receiver_up"));
        ShopSystem.sleep(1_100); // manifest times have millisecond resolution; make the move unmistakable
        backupCli("backup");
        double after = metric("shop_backup_last_success_timestamp_seconds{service=\"billing-svc\",database=\"" + db + "\"}");
        assertTrue(after > before, "last success moved: " + before + " -> " + after);

        BACKUP.killReceiver();
        assertEquals(0.0, metric("shop_backup_wal_receiver_up"), "a stopped receiver shows at the next scrape");

        backupCli("ship", "start"); // resumes from the slot: no gap, no new base backup needed
        assertEquals(1.0, metric("shop_backup_wal_receiver_up"));
    }

    /** Orders whose inventory reservation or billing payment disagrees with the order's status. */
    private static List<String> mismatches(Map<String, String> status) {
        Map<String, String> reservations = table("shop_inventory_" + ShopSystem.ENV, "SELECT order_id, status FROM reservation");
        Map<String, String> payments = table("shop_billing_" + ShopSystem.ENV, "SELECT order_id, status FROM payment");
        List<String> bad = new ArrayList<>();
        status.forEach((id, s) -> {
            String r = reservations.get(id);
            String p = payments.get(id);
            boolean ok = "CONFIRMED".equals(s)
                    ? "COMMITTED".equals(r) && "AUTHORIZED".equals(p)
                    : !"HELD".equals(r) && !"COMMITTED".equals(r) && !"AUTHORIZED".equals(p);
            if (!ok) {
                bad.add(id + " " + s + " reservation=" + r + " payment=" + p);
            }
        });
        return bad;
    }

    private static double metric(String series) throws IOException, InterruptedException {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + EXPORTER_PORT + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " not exported:\n" + body));
    }

    private static String backupCli(String... args) {
        return BACKUP.run(args);
    }

    private static String backupCli(Map<String, String> env, String... args) {
        return BACKUP.run(env, args);
    }

    private static String psql(String db, String sql) {
        try {
            Process p = new ProcessBuilder("psql", "-h", System.getenv().getOrDefault("PGHOST", "127.0.0.1"), "-U",
                    System.getenv().getOrDefault("PG_SUPERUSER", "postgres"), "-d", db, "-v", "ON_ERROR_STOP=1", "-qtAX", "-F", "\t", "-c", sql)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.waitFor(), "psql " + sql + ": " + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> table(String db, String sql) {
        Map<String, String> rows = new HashMap<>();
        for (String line : psql(db, sql).split("\n")) {
            String[] kv = line.split("\t");
            if (kv.length == 2) {
                rows.put(kv[0], kv[1]);
            }
        }
        return rows;
    }
}
