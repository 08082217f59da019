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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void shipWal() throws IOException {
        ShopSystem.get(); // the e2e databases exist and are migrated before the first base backup
        if (Files.exists(BACKUPS)) {
            try (Stream<Path> files = Files.walk(BACKUPS)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
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

    @Test
    void backupMetricMovesAfterABackupAndReceiverDownShowsWithinOneScrape() throws Exception {
        String db = "shop_billing_" + ShopSystem.ENV;
        double before = metric("shop_backup_last_success_timestamp_seconds{service=\"billing-svc\",database=\"" + db + "\"}");
        assertEquals(1.0, metric("shop_backup_wal_receiver_up"));
        ShopSystem.sleep(1_100); // manifest times have millisecond resolution; make the move unmistakable
        backupCli("backup");
        double after = metric("shop_backup_last_success_timestamp_seconds{service=\"billing-svc\",database=\"" + db + "\"}");
        assertTrue(after > before, "last success moved: " + before + " -> " + after);

        long pid = Long.parseLong(Files.readString(BACKUPS.resolve("state/receiver.pid")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        Eventually.await(Duration.ofSeconds(5), () -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), alive -> !alive, "receiver killed");
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
        return backupCli(Map.of(), args);
    }

    private static String backupCli(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("scripts/backup.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SHOP_BACKUP_DIR", BACKUPS.toString());
        pb.environment().put("SHOP_BACKUP_SLOT", SLOT);
        pb.environment().put("SHOP_BACKUP_EXPORTER_PORT", String.valueOf(EXPORTER_PORT));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "scripts/backup.sh " + String.join(" ", args) + " timed out");
            System.out.print(out);
            assertEquals(0, p.exitValue(), "scripts/backup.sh " + String.join(" ", args) + " failed:\n" + out);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
