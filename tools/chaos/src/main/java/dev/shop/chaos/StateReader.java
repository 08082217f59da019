package dev.shop.chaos;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link State} from the running system: each service's database as the superuser (the
 * public APIs do not list outboxes, inboxes or every reservation), the broker's queue depths, and
 * order-svc's correctness monitor through its API (a run now, as admin, then its report).
 */
public final class StateReader {

    private final Options options;
    private final Infra infra;

    public StateReader(Options options, Infra infra) {
        this.options = options;
        this.infra = infra;
    }

    public State read(Map<Integer, LoadDriver.Placement> placements, Map<String, Long> stocked, Map<String, java.math.BigDecimal> granted,
                      CallbackReceiver callbacks, String orderUrl, Tokens tokens) throws Exception {
        State s = new State();
        for (var p : placements.values()) {
            if (p.outcome() == LoadDriver.Outcome.ACCEPTED) {
                s.accepted.put(p.n(), p.id());
            }
        }
        s.expectedStock.putAll(stocked);
        s.expectedCredit.putAll(granted);
        try (Connection c = infra.db("order"); Statement st = c.createStatement()) {
            Map<String, List<State.Line>> lines = new HashMap<>();
            try (ResultSet rs = st.executeQuery("select order_id, sku, quantity from order_line")) {
                while (rs.next()) {
                    lines.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new State.Line(rs.getString(2), rs.getInt(3)));
                }
            }
            try (ResultSet rs = st.executeQuery("select id, customer_id, status, cancellation_reason, total, created_at, updated_at, callback_url from orders")) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    s.orders.put(id, new State.Order(id, rs.getString(2), rs.getString(3), rs.getString(4), rs.getBigDecimal(5),
                            rs.getTimestamp(6).toInstant(), rs.getTimestamp(7).toInstant(), rs.getString(8) != null, lines.getOrDefault(id, List.of())));
                }
            }
        }
        try (Connection c = infra.db("inventory"); Statement st = c.createStatement()) {
            Map<String, List<State.Line>> lines = new HashMap<>();
            try (ResultSet rs = st.executeQuery("select order_id, sku, quantity from reservation_line")) {
                while (rs.next()) {
                    lines.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new State.Line(rs.getString(2), rs.getInt(3)));
                }
            }
            try (ResultSet rs = st.executeQuery("select order_id, status from reservation")) {
                while (rs.next()) {
                    s.reservations.put(rs.getString(1), new State.Reservation(rs.getString(1), rs.getString(2), lines.getOrDefault(rs.getString(1), List.of())));
                }
            }
            try (ResultSet rs = st.executeQuery("select sku, available, reserved, sold, stocked from product")) {
                while (rs.next()) {
                    s.products.put(rs.getString(1), new State.Product(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
                }
            }
        }
        try (Connection c = infra.db("billing"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select order_id, customer_id, amount, status from payment")) {
                while (rs.next()) {
                    s.payments.put(rs.getString(1), new State.Payment(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getString(4)));
                }
            }
            try (ResultSet rs = st.executeQuery("select customer_id, credit, granted from account")) {
                while (rs.next()) {
                    s.accounts.put(rs.getString(1), new State.Account(rs.getString(1), rs.getBigDecimal(2), rs.getBigDecimal(3)));
                }
            }
        }
        try (Connection c = infra.db("notification"); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select order_id, type from notification")) {
                while (rs.next()) {
                    s.notifications.add(new State.Notification(rs.getString(1), rs.getString(2)));
                }
            }
            try (ResultSet rs = st.executeQuery("select id, order_id, status from callback_delivery")) {
                while (rs.next()) {
                    s.callbackDeliveries.add(new State.CallbackDelivery(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
        }
        for (String svc : Nemesis.SERVICES) {
            try (Connection c = infra.db(svc); Statement st = c.createStatement()) {
                List<State.OutboxEvent> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery("select event_id, type, subject, published_at is not null from outbox")) {
                    while (rs.next()) {
                        out.add(new State.OutboxEvent(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)));
                    }
                }
                s.outbox.put(svc, out);
                HashSet<String> in = new HashSet<>();
                try (ResultSet rs = st.executeQuery("select event_id from inbox")) {
                    while (rs.next()) {
                        in.add(rs.getString(1));
                    }
                }
                if ("order".equals(svc)) {
                    // order-svc consumes the events that are not saga steps (stock.committed, stock.released,
                    // payment.refunded) into the order's journey only, keyed by event id, not through the inbox.
                    try (ResultSet rs = st.executeQuery("select event_id from journey_step where received_at is not null")) {
                        while (rs.next()) {
                            in.add(rs.getString(1));
                        }
                    }
                }
                s.inbox.put(svc, in);
                try (ResultSet rs = st.executeQuery("select id, routing_key, reason, status from dead_letter")) {
                    while (rs.next()) {
                        s.deadLetters.add(new State.DeadLetter(svc, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                    }
                }
            }
        }
        s.callbacksReceived.putAll(callbacks.received());
        s.consumers.putAll(consumers());
        s.queueDepths.putAll(infra.queueDepths());
        s.monitorViolations = monitor(orderUrl, tokens);
        return s;
    }

    /** event type -> services whose queue is bound to it on shop.events (topology/definitions.json). */
    Map<String, java.util.Set<String>> consumers() throws Exception {
        JsonNode defs = Infra.JSON.readTree(Files.readString(options.root().resolve("topology/definitions.json")));
        Map<String, java.util.Set<String>> m = new HashMap<>();
        for (JsonNode b : defs.path("bindings")) {
            String dest = b.path("destination").asText();
            if ("shop.events".equals(b.path("source").asText()) && dest.endsWith("-svc.events")) {
                m.computeIfAbsent(b.path("routing_key").asText(), k -> new HashSet<>()).add(dest.substring(0, dest.indexOf("-svc")));
            }
        }
        return m;
    }

    /** order-svc's monitor, run now: "invariant subject: detail" per violation, or null if it cannot be asked. */
    static List<String> monitor(String orderUrl, Tokens tokens) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(orderUrl + "/api/v1/ops/correctness/runs"))
                    .header("authorization", "Bearer " + tokens.admin()).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                System.out.println("correctness monitor run: HTTP " + r.statusCode() + " " + r.body());
                return null;
            }
            List<String> v = new ArrayList<>();
            for (JsonNode n : Infra.JSON.readTree(r.body()).path("violations")) {
                v.add(n.path("invariant").asText() + " " + n.path("subject").asText() + ": " + n.path("detail").asText());
            }
            return v;
        } catch (Exception e) {
            System.out.println("correctness monitor run failed: " + e);
            return null;
        }
    }

    /** Orders not yet terminal, events not yet published, messages in queues: zero for each when quiet. */
    public record Activity(long pending, long unpublished, long queued) {
        public boolean quiet() {
            return pending == 0 && unpublished == 0 && queued == 0;
        }
    }

    public Activity activity() {
        long pending = -1;
        long unpublished = 0;
        try (Connection c = infra.db("order"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from orders where status = 'PENDING'")) {
            rs.next();
            pending = rs.getLong(1);
        } catch (SQLException e) {
            return new Activity(-1, -1, -1);
        }
        for (String svc : Nemesis.SERVICES) {
            try (Connection c = infra.db(svc); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("select count(*) from outbox where published_at is null")) {
                rs.next();
                unpublished += rs.getLong(1);
            } catch (SQLException e) {
                return new Activity(pending, -1, -1);
            }
        }
        long queued = 0;
        Map<String, Long> depths = infra.queueDepths();
        if (depths.isEmpty()) {
            queued = -1;
        }
        for (var d : depths.entrySet()) {
            if (!d.getKey().endsWith(".dlq")) { // the DLQs are parked into dead_letter tables and replayed separately
                queued += d.getValue();
            }
        }
        return new Activity(pending, unpublished, queued);
    }
}
