package dev.shop.chaos;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the checker judges, read once after the run has gone quiet: the services' own data
 * (databases), the broker's queue depths, what the client was told, what the callback receiver got
 * and what order-svc's correctness monitor reports. Plain data, so verdicts are unit-testable.
 */
public final class State {

    public record Line(String sku, int quantity) {
    }

    public record Order(String id, String customer, String status, String reason, BigDecimal total, Instant createdAt, Instant updatedAt,
                        boolean callback, List<Line> lines) {
    }

    public record Reservation(String orderId, String status, List<Line> lines) {
    }

    public record Product(String sku, long available, long reserved, long sold, long stocked) {
    }

    public record Payment(String orderId, String customer, BigDecimal amount, String status) {
    }

    public record Account(String customer, BigDecimal credit, BigDecimal granted) {
    }

    public record Notification(String orderId, String type) {
    }

    public record CallbackDelivery(String id, String orderId, String status) {
    }

    public record OutboxEvent(String eventId, String type, String subject, boolean published) {
    }

    public record DeadLetter(String service, String id, String routingKey, String reason, String status) {
    }

    public final Map<String, Order> orders = new HashMap<>();
    public final Map<String, Reservation> reservations = new HashMap<>();
    public final Map<String, Product> products = new HashMap<>();
    public final Map<String, Payment> payments = new HashMap<>();
    public final Map<String, Account> accounts = new HashMap<>();
    public final List<Notification> notifications = new ArrayList<>();
    public final List<CallbackDelivery> callbackDeliveries = new ArrayList<>();
    /** Callback POSTs received: delivery id -> order ids it carried (one per POST). */
    public final Map<String, List<String>> callbacksReceived = new HashMap<>();
    /** service -> its outbox (the events it published). */
    public final Map<String, List<OutboxEvent>> outbox = new HashMap<>();
    /** service -> event ids in its inbox (the events it consumed). */
    public final Map<String, Set<String>> inbox = new HashMap<>();
    /** event type -> services whose queue is bound to it (topology/definitions.json). */
    public final Map<String, Set<String>> consumers = new HashMap<>();
    public final List<DeadLetter> deadLetters = new ArrayList<>();
    public final Map<String, Long> queueDepths = new HashMap<>();
    /** Units each SKU was stocked with and credit each account was granted by the run's set-up. */
    public final Map<String, Long> expectedStock = new HashMap<>();
    public final Map<String, BigDecimal> expectedCredit = new HashMap<>();
    /** Order ids the client got 202 for (client's order number -> id). */
    public final Map<Integer, String> accepted = new HashMap<>();
    /** Every instance -> ready (health incl. messaging) after the faults healed and the system went quiet. */
    public final Map<String, Boolean> instancesReady = new java.util.TreeMap<>();
    /** "instance at hh:mm:ss (probe)" for every restart the startup or liveness probe (the run's kubelet) made. */
    public final List<String> livenessRestarts = new ArrayList<>();
    /** "invariant subject: detail" lines of order-svc's correctness monitor; null if it could not be asked. */
    public List<String> monitorViolations = new ArrayList<>();

    public Set<String> services() {
        Set<String> s = new HashSet<>(outbox.keySet());
        s.addAll(inbox.keySet());
        return s;
    }
}
