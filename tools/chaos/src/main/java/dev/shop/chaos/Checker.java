package dev.shop.chaos;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Verdicts over a {@link State}: per accepted order and globally. Pure (no I/O), so every check is
 * unit-tested over crafted state (CheckerTest), including that each one can fail.
 */
public final class Checker {

    /** One broken invariant: which check, about what (an order id, SKU, account, event or queue), and why. */
    public record Finding(String check, String subject, String detail) {
        @Override
        public String toString() {
            return check + " " + subject + ": " + detail;
        }
    }

    /** Every check, in report order, with what it means. */
    public static final Map<String, String> CHECKS = new LinkedHashMap<>();

    static {
        CHECKS.put("accepted_not_lost", "every order answered 202 exists in order-svc");
        CHECKS.put("terminal", "no order left PENDING");
        CHECKS.put("terminal_in_time", "terminal within saga deadline + recovery");
        CHECKS.put("confirmed_consistent", "CONFIRMED: reservation COMMITTED with the ordered units, payment AUTHORIZED for the total");
        CHECKS.put("cancelled_consistent", "CANCELLED: nothing HELD/COMMITTED, no payment AUTHORIZED");
        CHECKS.put("no_orphan_effects", "no reservation or payment holding stock/credit for an order order-svc does not know");
        CHECKS.put("stock_conserved", "per SKU: available + reserved + sold = stocked = what the run stocked");
        CHECKS.put("nothing_reserved", "per SKU: nothing left reserved");
        CHECKS.put("sold_once", "per SKU: sold = units of COMMITTED reservations (nothing sold twice)");
        CHECKS.put("credit_conserved", "per account: granted - AUTHORIZED payments = credit, granted = what the run granted");
        CHECKS.put("effects_once", "no order charged, refunded, sold or released twice (one such event per order)");
        CHECKS.put("one_notification", "exactly one notification per terminal order, of its status; none otherwise");
        CHECKS.put("callback_once", "each callback delivered (by delivery id) and never under two delivery ids");
        CHECKS.put("events_not_duplicated", "no state change published twice under different event ids");
        CHECKS.put("events_published", "every outbox event published");
        CHECKS.put("events_not_lost", "every published event in the inbox of every service bound to it");
        CHECKS.put("dead_letters_accounted", "every dead letter has a reason and none is PENDING after the replay");
        CHECKS.put("queues_drained", "event queues, DLQs and the unroutable queue empty");
        CHECKS.put("instances_recovered", "every instance ready again after the faults healed (consuming, connected)");
        CHECKS.put("correctness_monitor", "order-svc's own correctness monitor reports nothing");
    }

    /** Events that move money or stock: at most one per order each. */
    static final Set<String> EFFECTS = Set.of("payment.authorized", "payment.refunded", "stock.committed", "stock.released", "stock.reserved",
            "order.confirmed", "order.cancelled", "order.placed");

    private final Duration deadline;

    public Checker(Duration sagaTimeout, Duration recovery) {
        this.deadline = sagaTimeout.plus(recovery);
    }

    public List<Finding> judge(State s) {
        List<Finding> f = new ArrayList<>();
        perOrder(s, f);
        stock(s, f);
        credit(s, f);
        notifications(s, f);
        callbacks(s, f);
        events(s, f);
        deadLetters(s, f);
        for (var q : new TreeMap<>(s.queueDepths).entrySet()) {
            if (q.getValue() != 0) {
                f.add(new Finding("queues_drained", q.getKey(), q.getValue() + " message(s) left"));
            }
        }
        s.instancesReady.forEach((instance, ready) -> {
            if (!ready) {
                f.add(new Finding("instances_recovered", instance, "not ready after the faults healed"));
            }
        });
        if (s.monitorViolations == null) {
            f.add(new Finding("correctness_monitor", "order-svc", "could not run the monitor"));
        } else {
            for (String v : s.monitorViolations) { // "invariant subject: detail"
                String head = v.contains(":") ? v.substring(0, v.indexOf(':')) : v;
                f.add(new Finding("correctness_monitor", head.contains(" ") ? head.substring(head.indexOf(' ') + 1) : head, v));
            }
        }
        return f;
    }

    private void perOrder(State s, List<Finding> f) {
        for (var e : new TreeMap<>(s.accepted).entrySet()) {
            if (!s.orders.containsKey(e.getValue())) {
                f.add(new Finding("accepted_not_lost", e.getValue(), "answered 202 (client order #" + e.getKey() + ") but order-svc has no such order"));
            }
        }
        for (State.Order o : sorted(s.orders)) {
            if (!o.status().equals("CONFIRMED") && !o.status().equals("CANCELLED")) {
                f.add(new Finding("terminal", o.id(), "status " + o.status() + " since " + o.createdAt()));
                continue;
            }
            Duration took = Duration.between(o.createdAt(), o.updatedAt());
            if (took.compareTo(deadline) > 0) {
                f.add(new Finding("terminal_in_time", o.id(), o.status() + " after " + took.toMillis() + " ms (limit " + deadline.toMillis() + " ms)"));
            }
            State.Reservation r = s.reservations.get(o.id());
            State.Payment p = s.payments.get(o.id());
            if (o.status().equals("CONFIRMED")) {
                if (r == null || !r.status().equals("COMMITTED")) {
                    f.add(new Finding("confirmed_consistent", o.id(), "reservation " + (r == null ? "missing" : r.status())));
                } else if (!units(r.lines()).equals(units(o.lines()))) {
                    f.add(new Finding("confirmed_consistent", o.id(), "reserved " + units(r.lines()) + " but ordered " + units(o.lines())));
                }
                if (p == null || !p.status().equals("AUTHORIZED")) {
                    f.add(new Finding("confirmed_consistent", o.id(), p == null ? "no payment" : "payment " + p.status()));
                } else if (o.total() != null && p.amount().compareTo(o.total()) != 0) {
                    f.add(new Finding("confirmed_consistent", o.id(), "charged " + p.amount() + " for a total of " + o.total()));
                }
            } else {
                if (r != null && (r.status().equals("HELD") || r.status().equals("COMMITTED"))) {
                    f.add(new Finding("cancelled_consistent", o.id(), "cancelled (" + o.reason() + ") but reservation " + r.status()));
                }
                if (p != null && p.status().equals("AUTHORIZED")) {
                    f.add(new Finding("cancelled_consistent", o.id(), "cancelled (" + o.reason() + ") but payment AUTHORIZED " + p.amount()));
                }
            }
        }
        for (State.Reservation r : sorted(s.reservations)) {
            if (!s.orders.containsKey(r.orderId()) && (r.status().equals("HELD") || r.status().equals("COMMITTED"))) {
                f.add(new Finding("no_orphan_effects", r.orderId(), "reservation " + r.status() + " for an order order-svc does not know"));
            }
        }
        for (State.Payment p : sorted(s.payments)) {
            if (!s.orders.containsKey(p.orderId()) && p.status().equals("AUTHORIZED")) {
                f.add(new Finding("no_orphan_effects", p.orderId(), "payment AUTHORIZED " + p.amount() + " for an order order-svc does not know"));
            }
        }
    }

    private void stock(State s, List<Finding> f) {
        Map<String, Long> committed = new HashMap<>();
        for (State.Reservation r : s.reservations.values()) {
            if (r.status().equals("COMMITTED")) {
                for (State.Line l : r.lines()) {
                    committed.merge(l.sku(), (long) l.quantity(), Long::sum);
                }
            }
        }
        for (State.Product p : sorted(s.products)) {
            long sum = p.available() + p.reserved() + p.sold();
            if (sum != p.stocked()) {
                f.add(new Finding("stock_conserved", p.sku(), "available " + p.available() + " + reserved " + p.reserved() + " + sold " + p.sold() + " = " + sum
                        + " but stocked " + p.stocked()));
            }
            Long expected = s.expectedStock.get(p.sku());
            if (expected != null && expected != p.stocked()) {
                f.add(new Finding("stock_conserved", p.sku(), "stocked " + p.stocked() + " but the run stocked " + expected));
            }
            if (p.reserved() != 0) {
                f.add(new Finding("nothing_reserved", p.sku(), p.reserved() + " unit(s) still reserved"));
            }
            long c = committed.getOrDefault(p.sku(), 0L);
            if (p.sold() != c) {
                f.add(new Finding("sold_once", p.sku(), "sold " + p.sold() + " but committed reservations hold " + c));
            }
        }
        for (String sku : new TreeMap<>(s.expectedStock).keySet()) {
            if (!s.products.containsKey(sku)) {
                f.add(new Finding("stock_conserved", sku, "product missing"));
            }
        }
    }

    private void credit(State s, List<Finding> f) {
        Map<String, BigDecimal> authorized = new HashMap<>();
        for (State.Payment p : s.payments.values()) {
            if (p.status().equals("AUTHORIZED")) {
                authorized.merge(p.customer(), p.amount(), BigDecimal::add);
            }
        }
        for (State.Account a : sorted(s.accounts)) {
            BigDecimal expect = a.granted().subtract(authorized.getOrDefault(a.customer(), BigDecimal.ZERO));
            if (expect.compareTo(a.credit()) != 0) {
                f.add(new Finding("credit_conserved", a.customer(), "granted " + a.granted() + " - authorized " + authorized.getOrDefault(a.customer(), BigDecimal.ZERO)
                        + " = " + expect + " but credit is " + a.credit()));
            }
            BigDecimal granted = s.expectedCredit.get(a.customer());
            if (granted != null && granted.compareTo(a.granted()) != 0) {
                f.add(new Finding("credit_conserved", a.customer(), "granted " + a.granted() + " but the run granted " + granted));
            }
        }
    }

    private void notifications(State s, List<Finding> f) {
        Map<String, List<String>> byOrder = new HashMap<>();
        for (State.Notification n : s.notifications) {
            byOrder.computeIfAbsent(n.orderId(), k -> new ArrayList<>()).add(n.type());
        }
        for (State.Order o : sorted(s.orders)) {
            List<String> got = byOrder.getOrDefault(o.id(), List.of());
            boolean terminal = o.status().equals("CONFIRMED") || o.status().equals("CANCELLED");
            if (terminal && got.size() != 1) {
                f.add(new Finding("one_notification", o.id(), got.size() + " notification(s) " + got + " for a " + o.status() + " order"));
            } else if (terminal && !got.get(0).toUpperCase().contains(o.status())) {
                f.add(new Finding("one_notification", o.id(), "notification " + got.get(0) + " for a " + o.status() + " order"));
            } else if (!terminal && !got.isEmpty()) {
                f.add(new Finding("one_notification", o.id(), "notification " + got + " for a " + o.status() + " order"));
            }
        }
        for (String orderId : new TreeMap<>(byOrder).keySet()) {
            if (!s.orders.containsKey(orderId)) {
                f.add(new Finding("one_notification", orderId, "notification for an order order-svc does not know"));
            }
        }
    }

    private void callbacks(State s, List<Finding> f) {
        Map<String, State.CallbackDelivery> deliveries = new HashMap<>();
        for (State.CallbackDelivery d : s.callbackDeliveries) {
            if (deliveries.put(d.orderId(), d) != null) {
                f.add(new Finding("callback_once", d.orderId(), "two callback deliveries for one order"));
            }
        }
        Map<String, Set<String>> idsByOrder = new HashMap<>();
        for (var e : s.callbacksReceived.entrySet()) {
            for (String orderId : e.getValue()) {
                idsByOrder.computeIfAbsent(orderId, k -> new HashSet<>()).add(e.getKey());
            }
        }
        for (State.Order o : sorted(s.orders)) {
            boolean terminal = o.status().equals("CONFIRMED") || o.status().equals("CANCELLED");
            if (!o.callback() || !terminal) {
                continue;
            }
            State.CallbackDelivery d = deliveries.get(o.id());
            Set<String> ids = idsByOrder.getOrDefault(o.id(), Set.of());
            if (d == null) {
                f.add(new Finding("callback_once", o.id(), "no callback delivery recorded"));
            } else if (!d.status().equals("DELIVERED")) {
                f.add(new Finding("callback_once", o.id(), "callback delivery " + d.status()));
            } else if (!ids.contains(d.id())) {
                f.add(new Finding("callback_once", o.id(), "delivery " + d.id() + " marked DELIVERED but never received"));
            }
            if (ids.size() > 1) {
                f.add(new Finding("callback_once", o.id(), "received under " + ids.size() + " delivery ids " + new TreeMap<>(Map.of("ids", ids))));
            }
        }
    }

    private void events(State s, List<Finding> f) {
        for (var e : new TreeMap<>(s.outbox).entrySet()) {
            Map<String, Set<String>> idsByChange = new HashMap<>();
            for (State.OutboxEvent ev : e.getValue()) {
                idsByChange.computeIfAbsent(ev.type() + " " + ev.subject(), k -> new HashSet<>()).add(ev.eventId());
                if (!ev.published()) {
                    f.add(new Finding("events_published", ev.subject(), e.getKey() + " never published " + ev.type() + " " + ev.eventId()));
                }
                for (String consumer : s.consumers.getOrDefault(ev.type(), Set.of())) {
                    Set<String> in = s.inbox.get(consumer);
                    if (in != null && !in.contains(ev.eventId())) {
                        f.add(new Finding("events_not_lost", ev.subject(), ev.type() + " " + ev.eventId() + " from " + e.getKey() + " never reached " + consumer));
                    }
                }
            }
            for (var c : new TreeMap<>(idsByChange).entrySet()) {
                if (c.getValue().size() > 1) {
                    String[] ts = c.getKey().split(" ", 2);
                    String check = EFFECTS.contains(ts[0]) ? "effects_once" : "events_not_duplicated";
                    f.add(new Finding("events_not_duplicated", ts[1], e.getKey() + " published " + ts[0] + " under " + c.getValue().size() + " ids"));
                    if (check.equals("effects_once")) {
                        f.add(new Finding("effects_once", ts[1], ts[0] + " happened " + c.getValue().size() + " times"));
                    }
                }
            }
        }
    }

    private void deadLetters(State s, List<Finding> f) {
        for (State.DeadLetter d : s.deadLetters) {
            if (d.reason() == null || d.reason().isBlank()) {
                f.add(new Finding("dead_letters_accounted", d.id(), d.service() + " dead letter " + d.routingKey() + " without a reason"));
            }
            if (d.status().equals("PENDING")) {
                f.add(new Finding("dead_letters_accounted", d.id(), d.service() + " dead letter " + d.routingKey() + " still PENDING (" + d.reason() + ")"));
            }
        }
    }

    private static Map<String, Integer> units(List<State.Line> lines) {
        Map<String, Integer> m = new TreeMap<>();
        for (State.Line l : lines) {
            m.merge(l.sku(), l.quantity(), Integer::sum);
        }
        return m;
    }

    private static <T> List<T> sorted(Map<String, T> m) {
        return new ArrayList<>(new TreeMap<>(m).values());
    }
}
