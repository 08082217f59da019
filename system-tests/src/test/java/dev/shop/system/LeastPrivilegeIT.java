package dev.shop.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Secrets;
import io.vertx.core.Vertx;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import io.vertx.proton.ProtonSession;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.amqp.messaging.Released;
import org.apache.qpid.proton.amqp.transport.ErrorCondition;
import org.apache.qpid.proton.message.Message;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Least privilege below the services, against the e2e vhost and databases as ./shop sets them up
 * (topology/permissions.json, one broker user and one database role per service, .secrets/): a
 * service's credentials publish only its own event types, read only its own queues and reach only its
 * own database, and every broker connection of a running service uses that service's own user.
 */
class LeastPrivilegeIT {

    private static final String TAP = "e2e.least-privilege-tap";
    private static final String EVENTS = "/exchange/shop.events";
    private static final BrokerClient broker = new BrokerClient(ShopSystem.VHOST);
    private static final String PG_HOST = System.getenv().getOrDefault("PGHOST", "127.0.0.1");

    @BeforeAll
    static void system() {
        ShopSystem.get();
        broker.declareTap(TAP, "payment.authorized", "stock.reserved");
        broker.purge(TAP);
    }

    @Test
    void inventoryCannotPublishBillingsPaymentAuthorizedAndNothingIsDelivered() {
        String forged = UUID.randomUUID().toString();
        Outcome refused = publish("inventory", EVENTS, "payment.authorized", event("payment.authorized", forged,
                Map.of("orderId", forged, "customerId", "mallory", "amount", new BigDecimal("1.00"))));
        assertRefused(refused, "access to topic 'payment.authorized' in exchange 'shop.events'");

        // The same user publishing its own event type is accepted and routed (to the tap as well): had the
        // broker taken the forged payment.authorized, the tap would hold it before this one. The order and
        // customer do not exist, so the services ignore it (billing declines an unknown customer).
        String own = UUID.randomUUID().toString();
        Outcome accepted = publish("inventory", EVENTS, "stock.reserved", event("stock.reserved", own, Map.of("orderId", own,
                "customerId", "least-privilege-probe", "total", new BigDecimal("1.00"),
                "items", List.of(Map.of("sku", "LP-PROBE", "quantity", 1, "unitPrice", new BigDecimal("1.00"))))));
        assertTrue(accepted.ok(), accepted.toString());
        broker.await(TAP, r -> r.body().contains(own), Duration.ofSeconds(15));
        assertTrue(broker.drainKept(TAP).stream().noneMatch(r -> r.body().contains(forged)), "the refused event reached a queue");
    }

    @Test
    void inventoryCannotPutAMessageIntoAnotherServicesQueueByReplayParkingOrTheDefaultExchange() {
        String forged = event("payment.authorized", UUID.randomUUID().toString(), Map.of());
        // Replays go through shop.replay with the queue as routing key: only its own queue.
        assertRefused(publish("inventory", "/exchange/shop.replay/order-svc.events", "payment.authorized", forged),
                "access to topic 'order-svc.events' in exchange 'shop.replay'");
        // Parked dead letters go through shop.parking, routing key <queue>: only its own DLQ.
        assertRefused(publish("inventory", "/exchange/shop.parking", "billing-svc.events", forged),
                "access to topic 'billing-svc.events' in exchange 'shop.parking'");
        // The default exchange reaches any queue by name and topic permissions do not cover it: no write at all.
        assertRefused(publish("inventory", "/amq/queue/order-svc.events", "payment.authorized", forged),
                "access to exchange 'amq.default'");
        // Nor the queues' own dead-letter exchange (direct, so any DLQ by routing key).
        assertRefused(publish("inventory", "/exchange/shop.dlx", "billing-svc.events", forged),
                "access to exchange 'shop.dlx'");
    }

    @Test
    void inventoryCannotReadBillingsQueue() {
        assertRefused(attachReceiver("inventory", "/amq/queue/billing-svc.events"), "access to queue 'billing-svc.events'");
        // Its own dead-letter queue it may read (no credit is granted, so the running service loses nothing).
        Outcome own = attachReceiver("inventory", "/amq/queue/inventory-svc.dlq");
        assertTrue(own.ok(), own.toString());
    }

    @Test
    void everyBrokerConnectionOfAServiceUsesItsOwnUserAndNoneUsesGuest() {
        Map<Long, String> serviceByPid = new HashMap<>();
        for (String svc : ShopSystem.PORTS.keySet()) {
            long pid = ShopSystem.get().pid(svc);
            assertNotEquals(-1, pid, svc + "-svc is not running");
            serviceByPid.put(pid, svc);
        }
        // Every service holds several connections (one per channel); check all of them once each is up.
        List<String> findings = Eventually.await(Duration.ofSeconds(30), () -> connectionUsers(serviceByPid),
                seen -> ShopSystem.PORTS.keySet().stream().allMatch(svc -> seen.contains(svc + " as " + svc + "-svc")),
                "a connection of every service");
        for (String seen : findings) {
            assertFalse(seen.endsWith(" as guest"), "guest connected to " + ShopSystem.VHOST + ": " + findings);
            String[] parts = seen.split(" as ");
            if (!parts[0].equals("(not a service)")) {
                assertEquals(parts[0] + "-svc", parts[1], "a connection of " + parts[0] + "-svc: " + findings);
            }
        }
    }

    @Test
    void orderRoleCannotConnectToInventorysDatabase() throws Exception {
        String db = "shop_inventory_" + ShopSystem.ENV;
        PsqlResult refused = psqlAs("order", db, "select 1");
        assertNotEquals(0, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("permission denied for database \"" + db + "\""), refused.output());
        // The same credentials reach order-svc's own database, as order_svc.
        PsqlResult own = psqlAs("order", "shop_order_" + ShopSystem.ENV, "select current_user");
        assertEquals(0, own.exitCode(), own.output());
        assertEquals("order_svc", own.output().strip());
    }

    @Test
    void orderRoleCannotCreateADatabaseAndHoldsNoAdministrativeAttribute() throws Exception {
        String own = "shop_order_" + ShopSystem.ENV;
        PsqlResult refused = psqlAs("order", own, "create database shop_least_privilege_probe");
        assertNotEquals(0, refused.exitCode(), refused.output());
        assertTrue(refused.output().contains("permission denied to create database"), refused.output());
        PsqlResult attributes = psqlAs("order", own,
                "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = current_user");
        assertEquals("f|f|f|f|f", attributes.output().strip(), attributes.output());
    }

    // ------------------------------------------------------------------ broker, as a service's user

    /** What the broker answered: accepted/attached, or the error condition it ended the session (or link) with. */
    record Outcome(boolean ok, String condition, String description) {
        static Outcome of(ErrorCondition error, String otherwise) {
            return error == null || error.getCondition() == null ? new Outcome(false, otherwise, otherwise)
                    : new Outcome(false, error.getCondition().toString(), String.valueOf(error.getDescription()));
        }
    }

    private static String event(String type, String orderId, Map<String, Object> data) {
        return BrokerClient.cloudEvent(type, orderId, data).put("source", "/least-privilege-test").toString();
    }

    private static void assertRefused(Outcome outcome, String what) {
        assertEquals("amqp:unauthorized-access", outcome.condition(), outcome.toString());
        assertTrue(outcome.description().contains(what) && outcome.description().contains("user 'inventory-svc'"), outcome.toString());
    }

    /** Publishes one message with the subject, as the services' channels do, and waits for the broker's outcome. */
    private static Outcome publish(String svc, String address, String subject, String body) {
        return amqp(svc, (vertx, session, result) -> {
            ProtonSender sender = session.createSender(address);
            sender.closeHandler(x -> result.complete(Outcome.of(sender.getRemoteCondition(), "sender detached")));
            sender.openHandler(attached -> {
                Message message = Message.Factory.create();
                message.setSubject(subject);
                message.setDurable(true);
                message.setContentType("application/cloudevents+json");
                message.setBody(new Data(new Binary(body.getBytes(StandardCharsets.UTF_8))));
                sender.send(message, delivery -> result.complete(delivery.getRemoteState() instanceof Accepted
                        ? new Outcome(true, "accepted", "") : new Outcome(false, String.valueOf(delivery.getRemoteState()), "")));
            }).open();
        });
    }

    /** Attaches a receiver without granting credit (so it takes no message) and reports whether it stays attached. */
    private static Outcome attachReceiver(String svc, String address) {
        return amqp(svc, (vertx, session, result) -> {
            ProtonReceiver receiver = session.createReceiver(address);
            receiver.setPrefetch(0);
            receiver.closeHandler(x -> result.complete(Outcome.of(receiver.getRemoteCondition(), "receiver detached")));
            receiver.handler((delivery, message) -> delivery.disposition(new Released(), true));
            // RabbitMQ checks read access when the link attaches; a refusal ends the session right after.
            receiver.openHandler(attached -> vertx.setTimer(1500, t -> result.complete(new Outcome(true, "attached", "")))).open();
        });
    }

    interface SessionAction {
        void run(Vertx vertx, ProtonSession session, CompletableFuture<Outcome> result);
    }

    /** Opens a connection to the e2e vhost with the service's own credentials (.secrets/<svc>-svc.env) and a session. */
    private static Outcome amqp(String svc, SessionAction action) {
        Map<String, String> credentials = Secrets.service(svc);
        Vertx vertx = Vertx.vertx();
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            ProtonClient.create(vertx).connect("127.0.0.1", 5672, credentials.get("AMQP_USERNAME"), credentials.get("AMQP_PASSWORD"), connected -> {
                if (connected.failed()) {
                    result.completeExceptionally(connected.cause());
                    return;
                }
                ProtonConnection connection = connected.result().setHostname("vhost:" + ShopSystem.VHOST);
                connection.disconnectHandler(c -> result.complete(Outcome.of(c.getRemoteCondition(), "disconnected")));
                connection.openHandler(opened -> {
                    if (opened.failed()) {
                        result.completeExceptionally(opened.cause());
                        return;
                    }
                    ProtonSession session = connection.createSession();
                    // RabbitMQ 3.x ends the whole session when it refuses a message or an attach.
                    session.closeHandler(s -> result.complete(Outcome.of(session.getRemoteCondition(), "session ended")));
                    session.openHandler(s -> action.run(vertx, session, result)).open();
                }).open();
            });
            return result.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("AMQP as " + svc + "-svc failed", e);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        }
    }

    /**
     * "<svc> as <user>" for every connection to the e2e vhost; svc is the service process owning the
     * connection's client socket (matched through /proc by the connection's local port), or "(not a service)".
     */
    private static List<String> connectionUsers(Map<Long, String> serviceByPid) {
        Map<Integer, Long> inodeByLocalPort = brokerSocketInodes();
        Map<Long, String> serviceByInode = new HashMap<>();
        serviceByPid.forEach((pid, svc) -> socketInodes(pid).forEach(inode -> serviceByInode.put(inode, svc)));
        List<String> out = new ArrayList<>();
        for (JsonNode c : broker.connections()) {
            Long inode = inodeByLocalPort.get(c.path("peer_port").asInt());
            String svc = inode == null ? null : serviceByInode.get(inode);
            out.add((svc == null ? "(not a service)" : svc) + " as " + c.path("user").asText());
        }
        return out;
    }

    /** Local port -> socket inode of this machine's TCP connections to the broker's AMQP port (5672). */
    private static Map<Integer, Long> brokerSocketInodes() {
        Map<Integer, Long> out = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+"); // sl local_address rem_address st ... uid timeout inode
                    int localPort = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    int remotePort = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
                    if (remotePort == 5672) {
                        out.put(localPort, Long.parseLong(f[9]));
                    }
                }
            } catch (IOException e) {
                // no IPv6 table
            }
        }
        return out;
    }

    private static List<Long> socketInodes(long pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            List<Long> out = new ArrayList<>();
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        out.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            });
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the sockets of process " + pid + " (the suite runs as root or as the services' user)", e);
        }
    }

    // ------------------------------------------------------------------ database, as a service's role

    record PsqlResult(int exitCode, String output) {
    }

    /**
     * Runs one statement with psql as the service's own role (.secrets/<svc>-svc.env). The password goes
     * in the environment; this machine's pg_hba may trust local connections, but CONNECT privileges and
     * role attributes are enforced either way.
     */
    private static PsqlResult psqlAs(String svc, String db, String sql) throws IOException, InterruptedException {
        Map<String, String> credentials = Secrets.service(svc);
        ProcessBuilder pb = new ProcessBuilder("psql", "-h", PG_HOST, "-U", credentials.get("QUARKUS_DATASOURCE_USERNAME"),
                "-d", db, "-v", "ON_ERROR_STOP=1", "-qtAX", "-c", sql).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", credentials.get("QUARKUS_DATASOURCE_PASSWORD"));
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("psql did not finish: " + sql);
        }
        return new PsqlResult(p.exitValue(), output);
    }
}
