package dev.shop.chaos;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./shop chaos}: the worst day, on one machine. See {@link Options#USAGE} and
 * docs/reliability.md. Exit code 0: every check passed; 1: a violation (listed with its order ids);
 * 2: bad usage; 3: the run could not be carried out (services did not start, ...).
 */
public final class Chaos {

    private final Options o;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private Chaos(Options o) {
        this.o = o;
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ERROR: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (o.help()) {
            System.out.print(Options.USAGE);
            System.exit(0);
        }
        int rc;
        try {
            rc = new Chaos(o).run();
        } catch (Exception e) {
            e.printStackTrace();
            rc = 3;
        }
        System.exit(rc);
    }

    private int run() throws Exception {
        List<Nemesis.Fault> schedule = Nemesis.schedule(o.seed(), o.faultWindow().toMillis(), o.faults(), o.meanFaultGapSeconds() * 1000, 2);
        System.out.printf("chaos: seed %d, %d orders at %.1f/s (%d s), %d faults scheduled from %d s into the load:%n", o.seed(), o.orders(), o.rate(),
                o.loadDuration().toSeconds(), schedule.size(), o.warmup().toSeconds());
        schedule.forEach(f -> System.out.println("  " + f.describe()));
        Infra infra = new Infra(o);
        infra.restore();
        Tokens tokens = new Tokens(o.root().resolve(".secrets/jwt/private.pem"), System.getenv().getOrDefault("SHOP_JWT_ISSUER", "https://auth.shop.local"),
                System.getenv().getOrDefault("SHOP_JWT_AUDIENCE", "shop"));
        Path logs = o.root().resolve(".run/chaos/seed-" + o.seed());
        Proxies proxies = new Proxies();
        Instances instances = new Instances(o, logs, tokens);
        CallbackReceiver callbacks = new CallbackReceiver(o.basePort() + 50);
        Thread restoreHook = new Thread(() -> restoreEverything(proxies, infra, instances, callbacks), "chaos-restore");
        Runtime.getRuntime().addShutdownHook(restoreHook);
        Supervisor supervisor = null;
        try {
            for (String i : Instances.all()) {
                proxies.open(i + "/amqp", Instances.amqpProxyPort(o, i), o.amqpHost(), o.amqpPort());
                proxies.open(i + "/pg", Instances.pgProxyPort(o, i), o.pgHost(), o.pgPort());
            }
            System.out.println("starting 8 service instances (logs: " + logs + ")");
            for (int k = 0; k < 2; k++) {
                for (String svc : Nemesis.SERVICES) {
                    instances.start(Instances.name(svc, k));
                }
                for (String svc : Nemesis.SERVICES) {
                    String i = Instances.name(svc, k);
                    if (!instances.awaitReady(i, Duration.ofSeconds(180))) {
                        System.err.println(i + " did not become ready; see " + instances.log(i));
                        return 3;
                    }
                }
            }
            String run = Long.toString(o.seed(), 36) + Long.toString(System.currentTimeMillis() % 100000, 36);
            List<String> orderUrls = List.of(instances.url("order-0"), instances.url("order-1"));
            LoadDriver load = new LoadDriver(o, orderUrls, tokens, run, callbacks.url());
            Map<String, Long> stocked = new LinkedHashMap<>();
            Map<String, BigDecimal> granted = new LinkedHashMap<>();
            setUp(instances, tokens, load, stocked, granted);

            // The run's kubelet, with the chart's thresholds: startup probe 60 x 5 s, liveness 3 in a row (every 5 s here).
            supervisor = new Supervisor(instances, Duration.ofSeconds(5), 60, 3).start();
            Supervisor probe = supervisor;
            Faults faults = new Faults(instances, proxies, infra, tokens);
            System.out.println("load and nemesis running ...");
            long t0 = System.nanoTime();
            ScheduledExecutorService ticker = load.start(o.seed());
            // The first --warmup seconds of load run without faults: eight cold JVMs compile on two cores.
            long faultsT0 = t0 + o.warmup().toNanos();
            Thread nemesis = new Thread(() -> faults.run(schedule, faultsT0), "nemesis");
            nemesis.start();
            long progressEvery = TimeUnit.SECONDS.toNanos(15);
            long next = t0 + progressEvery;
            long loadEnd = t0 + o.loadDuration().toNanos() + TimeUnit.SECONDS.toNanos(120);
            while (!load.finished() && System.nanoTime() < loadEnd) {
                Instances.sleep(1000);
                if (System.nanoTime() >= next) {
                    next += progressEvery;
                    System.out.printf("  [%3d s] sent %d/%d, answered %d, faults done %d/%d%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0),
                            Math.min(load.sent(), o.orders()), o.orders(), load.placements().size(), faults.injected().size(), schedule.size());
                }
            }
            Duration loadTook = Duration.ofNanos(System.nanoTime() - t0);
            ticker.shutdownNow();
            nemesis.join(TimeUnit.MINUTES.toMillis(10));
            System.out.println("load done in " + loadTook.toSeconds() + " s; healing everything");
            heal(proxies, infra, instances);
            System.out.println("waiting for the system to go quiet (at most " + o.quietTimeout().toSeconds() + " s) ...");
            StateReader reader = new StateReader(o, infra);
            awaitQuiet(reader, infra);
            replayDeadLetters(instances, tokens);
            awaitQuiet(reader, infra);
            if (o.sabotage() != null) {
                sabotage(infra);
            }
            State state = reader.read(load.placements(), stocked, granted, callbacks, instances.url("order-0"), tokens);
            for (String i : Instances.all()) {
                state.instancesReady.put(i, instances.running(i) && instances.ready(i));
            }
            probe.restarts().forEach(r -> state.livenessRestarts.add(r.instance() + " at " + r.at() + " (" + r.probe() + ")"));
            List<Checker.Finding> findings = new Checker(o.sagaTimeout(), o.recovery()).judge(state);
            System.out.print(Report.render(o, state, load.placements(), faults.injected(), findings, loadTook));
            return findings.isEmpty() ? 0 : 1;
        } finally {
            if (supervisor != null) {
                supervisor.close();
            }
            restoreEverything(proxies, infra, instances, callbacks);
            try {
                Runtime.getRuntime().removeShutdownHook(restoreHook);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs
            }
        }
    }

    /** Catalogue and accounts, sized so that some orders run out of stock or credit (both cancellation paths run). */
    private void setUp(Instances instances, Tokens tokens, LoadDriver load, Map<String, Long> stocked, Map<String, BigDecimal> granted) throws Exception {
        long units = Math.max(10, Math.round(o.orders() * 2.0 / o.skus() * 0.85));
        for (int s = 0; s < o.skus(); s++) {
            put(instances.url("inventory-0") + "/api/v1/products/" + load.sku(s), "{\"name\":\"chaos\",\"price\":5.00,\"available\":" + units + "}", tokens);
            stocked.put(load.sku(s), units);
        }
        BigDecimal credit = BigDecimal.valueOf(Math.max(50, Math.round(o.orders() * 10.0 / o.customers() * 0.85))).setScale(2);
        for (int c = 0; c < o.customers(); c++) {
            put(instances.url("billing-0") + "/api/v1/accounts/" + load.customer(c), "{\"credit\":" + credit + "}", tokens);
            granted.put(load.customer(c), credit);
        }
        System.out.printf("set up %d SKUs with %d units each, %d accounts with %s credit%n", o.skus(), units, o.customers(), credit);
    }

    private void put(String url, String body, Tokens tokens) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("authorization", "Bearer " + tokens.admin())
                .header("content-type", "application/json").timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException("PUT " + url + " -> " + r.statusCode() + " " + r.body());
        }
    }

    private void heal(Proxies proxies, Infra infra, Instances instances) throws Exception {
        proxies.healAll();
        infra.restore();
        for (String i : Instances.all()) {
            if (!instances.running(i)) {
                System.out.println("  restarting " + i);
                instances.start(i);
            }
        }
        for (String i : Instances.all()) {
            if (!instances.awaitReady(i, Duration.ofSeconds(180))) {
                System.out.println("  WARNING: " + i + " not ready after healing; see " + instances.log(i));
            }
        }
    }

    /** Quiet: no PENDING order, no unpublished outbox row, no queued message, no pending callback; twice in a row. */
    private void awaitQuiet(StateReader reader, Infra infra) {
        long end = System.nanoTime() + o.quietTimeout().toNanos();
        int quietPolls = 0;
        StateReader.Activity a = null;
        long callbacksPending = -1;
        while (System.nanoTime() < end) {
            a = reader.activity();
            callbacksPending = count(infra, "notification", "select count(*) from callback_delivery where status = 'PENDING'");
            quietPolls = a.quiet() && callbacksPending == 0 ? quietPolls + 1 : 0;
            if (quietPolls >= 2) {
                System.out.println("  quiet");
                return;
            }
            Instances.sleep(3000);
        }
        System.out.println("  NOT quiet after " + o.quietTimeout().toSeconds() + " s: " + a + ", callbacks pending " + callbacksPending);
    }

    private static long count(Infra infra, String svc, String sql) {
        try (Connection c = infra.db(svc); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    /** The documented replay (docs/operations.md): list each service's pending dead letters with their reasons, replay them all. */
    private void replayDeadLetters(Instances instances, Tokens tokens) throws Exception {
        Instances.sleep(6000); // the DLQs are parked into dead_letter every 5 s
        for (String svc : Nemesis.SERVICES) {
            String base = instances.url(Instances.name(svc, 0)) + "/admin/dead-letters";
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base + "?status=PENDING&limit=1000"))
                    .header("authorization", "Bearer " + tokens.operator()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode pending = Infra.JSON.readTree(list.body());
            if (list.statusCode() != 200 || pending.isEmpty()) {
                continue;
            }
            for (JsonNode d : pending) {
                System.out.printf("  dead letter %s-svc %s %s: %s%n", svc, d.path("id").asText(), d.path("routingKey").asText(), d.path("reason").asText());
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/replay")).header("authorization", "Bearer " + tokens.admin())
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("  replayed " + svc + "-svc dead letters: " + r.statusCode() + " " + r.body());
        }
    }

    /** --sabotage: damage the data the way a bug would, so the run shows the checker failing on it. */
    private void sabotage(Infra infra) throws Exception {
        if (o.sabotage().equals("delete-payment")) {
            String id = null;
            try (Connection c = infra.db("order"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select id from orders where status = 'CONFIRMED' order by created_at limit 1")) {
                if (rs.next()) {
                    id = rs.getString(1);
                }
            }
            if (id == null) {
                System.out.println("SABOTAGE: no CONFIRMED order to break");
                return;
            }
            try (Connection c = infra.db("billing"); Statement st = c.createStatement()) {
                st.executeUpdate("delete from payment where order_id = '" + id + "'");
            }
            System.out.println("SABOTAGE: deleted the payment row of CONFIRMED order " + id);
        } else {
            String sku;
            try (Connection c = infra.db("inventory"); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select sku from product order by sku limit 1")) {
                rs.next();
                sku = rs.getString(1);
                st.executeUpdate("update product set available = available + 1 where sku = '" + sku + "'");
            }
            System.out.println("SABOTAGE: one unit of " + sku + " appeared from nowhere");
        }
    }

    private static void restoreEverything(Proxies proxies, Infra infra, Instances instances, CallbackReceiver callbacks) {
        List<Runnable> steps = new ArrayList<>(List.of(proxies::healAll, infra::restore, instances::close, proxies::close, callbacks::close));
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                System.err.println("restore step failed: " + e);
            }
        }
    }
}
