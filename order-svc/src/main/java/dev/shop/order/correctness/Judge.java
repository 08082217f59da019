package dev.shop.order.correctness;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Judges one order against what the other services hold about it. Pure: the monitor gathers the
 * facts, this decides. A peer that did not answer is passed as {@code null} facts, and the
 * invariants that need it are not decided (neither reported nor cleared) in that run.
 */
public final class Judge {

    /** An order as order-svc holds it; {@code lines} is units per SKU. */
    public record OrderRecord(UUID id, String status, BigDecimal total, Map<String, Integer> lines,
                              OffsetDateTime createdAt, OffsetDateTime updatedAt) {
    }

    /** inventory-svc's reservation for an order; {@code lines} is units per SKU. */
    public record StockFact(String status, Map<String, Integer> lines) {
    }

    /** billing-svc's payment for an order. */
    public record PaymentFact(String status, BigDecimal amount) {
    }

    /** The peers' facts for a batch of orders, by order id; a map is null when its peer did not answer. */
    public record Facts(Map<UUID, StockFact> stock, Map<UUID, PaymentFact> payments, Map<UUID, Map<String, Integer>> notifications) {
    }

    /** What one order's judgement decided: the invariants it could decide, and which of those are broken. */
    public record Verdict(UUID orderId, List<String> decided, List<Violation> violations) {
    }

    private Judge() {
    }

    /**
     * @param deadline an order created before this and still PENDING is stuck (saga timeout plus grace ago)
     */
    public static Verdict judge(OrderRecord order, Facts facts, OffsetDateTime deadline) {
        String id = order.id().toString();
        List<String> decided = new ArrayList<>();
        List<Violation> broken = new ArrayList<>();
        decided.add(Invariants.ORDER_TERMINAL);
        if ("PENDING".equals(order.status())) {
            if (order.createdAt().isBefore(deadline)) {
                broken.add(new Violation(Invariants.ORDER_TERMINAL, id,
                        "still PENDING, placed " + order.createdAt() + ", past its saga deadline and the grace period"));
            }
            return new Verdict(order.id(), decided, broken);
        }
        boolean confirmed = "CONFIRMED".equals(order.status());
        if (facts.stock() != null && facts.payments() != null) {
            String invariant = confirmed ? Invariants.CONFIRMED_CONSISTENT : Invariants.CANCELLED_CONSISTENT;
            decided.add(Invariants.CONFIRMED_CONSISTENT);
            decided.add(Invariants.CANCELLED_CONSISTENT);
            List<String> problems = confirmed
                    ? confirmedProblems(order, facts.stock().get(order.id()), facts.payments().get(order.id()))
                    : cancelledProblems(facts.stock().get(order.id()), facts.payments().get(order.id()));
            if (!problems.isEmpty()) {
                broken.add(new Violation(invariant, id, order.status() + ": " + String.join("; ", problems)));
            }
        }
        if (facts.notifications() != null) {
            decided.add(Invariants.ONE_NOTIFICATION);
            String expected = confirmed ? "ORDER_CONFIRMED" : "ORDER_CANCELLED";
            Map<String, Integer> counts = facts.notifications().getOrDefault(order.id(), Map.of());
            int ofStatus = counts.getOrDefault(expected, 0);
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            if (ofStatus != 1 || total != 1) {
                broken.add(new Violation(Invariants.ONE_NOTIFICATION, id, order.status() + ": expected one " + expected
                        + " notification, found " + (counts.isEmpty() ? "none" : new TreeMap<>(counts))));
            }
        }
        return new Verdict(order.id(), decided, broken);
    }

    private static List<String> confirmedProblems(OrderRecord order, StockFact stock, PaymentFact payment) {
        List<String> problems = new ArrayList<>();
        if (stock == null) {
            problems.add("inventory has no reservation");
        } else if (!"COMMITTED".equals(stock.status())) {
            problems.add("reservation is " + stock.status() + ", not COMMITTED (stock not sold)");
        } else if (!new TreeMap<>(stock.lines()).equals(new TreeMap<>(order.lines()))) {
            problems.add("sold " + new TreeMap<>(stock.lines()) + ", ordered " + new TreeMap<>(order.lines()));
        }
        if (payment == null) {
            problems.add("billing has no payment");
        } else if (!"AUTHORIZED".equals(payment.status())) {
            problems.add("payment is " + payment.status() + ", not AUTHORIZED");
        } else if (order.total() == null || payment.amount() == null || order.total().compareTo(payment.amount()) != 0) {
            problems.add("payment of " + payment.amount() + " for an order total of " + order.total());
        }
        return problems;
    }

    private static List<String> cancelledProblems(StockFact stock, PaymentFact payment) {
        List<String> problems = new ArrayList<>();
        if (stock != null && ("HELD".equals(stock.status()) || "COMMITTED".equals(stock.status()))) {
            problems.add("reservation is still " + stock.status() + " (" + new TreeMap<>(stock.lines()) + ")");
        }
        if (payment != null && "AUTHORIZED".equals(payment.status())) {
            problems.add("payment of " + payment.amount() + " is still AUTHORIZED (neither voided nor refunded)");
        }
        return problems;
    }
}
