package dev.shop.order.correctness;

import dev.shop.order.correctness.Judge.Facts;
import dev.shop.order.correctness.Judge.OrderRecord;
import dev.shop.order.correctness.Judge.PaymentFact;
import dev.shop.order.correctness.Judge.StockFact;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JudgeTest {

    private final OffsetDateTime now = OffsetDateTime.parse("2026-11-30T12:00:00Z");
    private final OffsetDateTime deadline = now.minusSeconds(90);
    private final UUID id = UUID.fromString("0b6f4a2e-9c1d-4a57-8e3b-2f6d7c8e9a10");

    private OrderRecord order(String status, String total) {
        return new OrderRecord(id, status, total == null ? null : new BigDecimal(total), Map.of("BOOK-1", 2, "PEN-1", 1),
                now.minusSeconds(300), now.minusSeconds(200));
    }

    private Facts facts(StockFact stock, PaymentFact payment, Map<String, Integer> notes) {
        return new Facts(stock == null ? Map.of() : Map.of(id, stock), payment == null ? Map.of() : Map.of(id, payment),
                notes == null ? Map.of() : Map.of(id, notes));
    }

    private final StockFact sold = new StockFact("COMMITTED", Map.of("BOOK-1", 2, "PEN-1", 1));
    private final PaymentFact paid = new PaymentFact("AUTHORIZED", new BigDecimal("26.00"));

    private List<String> broken(Judge.Verdict v) {
        return v.violations().stream().map(Violation::invariant).toList();
    }

    @Test
    void consistentConfirmedOrderBreaksNothingAndDecidesEverything() {
        var verdict = Judge.judge(order("CONFIRMED", "26.00"), facts(sold, paid, Map.of("ORDER_CONFIRMED", 1)), deadline);
        assertEquals(List.of(), verdict.violations());
        assertEquals(List.of(Invariants.ORDER_TERMINAL, Invariants.CONFIRMED_CONSISTENT, Invariants.CANCELLED_CONSISTENT,
                Invariants.ONE_NOTIFICATION), verdict.decided());
    }

    @Test
    void confirmedOrderWithoutPaymentRowIsReported() {
        var verdict = Judge.judge(order("CONFIRMED", "26.00"), facts(sold, null, Map.of("ORDER_CONFIRMED", 1)), deadline);
        assertEquals(List.of(Invariants.CONFIRMED_CONSISTENT), broken(verdict));
        assertTrue(verdict.violations().get(0).detail().contains("billing has no payment"), verdict.toString());
        assertEquals(id.toString(), verdict.violations().get(0).subject());
    }

    @Test
    void confirmedOrderPaidAnotherAmountOrSoldOtherUnitsIsReported() {
        var wrongAmount = Judge.judge(order("CONFIRMED", "26.00"),
                facts(sold, new PaymentFact("AUTHORIZED", new BigDecimal("25.99")), Map.of("ORDER_CONFIRMED", 1)), deadline);
        assertTrue(wrongAmount.violations().get(0).detail().contains("25.99"));
        var wrongUnits = Judge.judge(order("CONFIRMED", "26.00"),
                facts(new StockFact("COMMITTED", Map.of("BOOK-1", 3, "PEN-1", 1)), paid, Map.of("ORDER_CONFIRMED", 1)), deadline);
        assertEquals(List.of(Invariants.CONFIRMED_CONSISTENT), broken(wrongUnits));
        var held = Judge.judge(order("CONFIRMED", "26.00"), facts(new StockFact("HELD", Map.of("BOOK-1", 2, "PEN-1", 1)), paid,
                Map.of("ORDER_CONFIRMED", 1)), deadline);
        assertTrue(held.violations().get(0).detail().contains("HELD"));
    }

    @Test
    void equalAmountsWithDifferentScalesAgree() {
        var verdict = Judge.judge(order("CONFIRMED", "26.00"),
                facts(sold, new PaymentFact("AUTHORIZED", new BigDecimal("26.0")), Map.of("ORDER_CONFIRMED", 1)), deadline);
        assertEquals(List.of(), verdict.violations());
    }

    @Test
    void cancelledOrderMustLeaveNothingHeldOrCharged() {
        assertEquals(List.of(), Judge.judge(order("CANCELLED", null), facts(new StockFact("RELEASED", Map.of()),
                new PaymentFact("VOIDED", BigDecimal.ZERO), Map.of("ORDER_CANCELLED", 1)), deadline).violations());
        assertEquals(List.of(), Judge.judge(order("CANCELLED", null), facts(null, null, Map.of("ORDER_CANCELLED", 1)), deadline).violations());
        var charged = Judge.judge(order("CANCELLED", "26.00"), facts(new StockFact("HELD", Map.of("BOOK-1", 2)), paid,
                Map.of("ORDER_CANCELLED", 1)), deadline);
        assertEquals(List.of(Invariants.CANCELLED_CONSISTENT), broken(charged));
        assertTrue(charged.violations().get(0).detail().contains("still HELD"));
        assertTrue(charged.violations().get(0).detail().contains("still AUTHORIZED"));
    }

    @Test
    void notificationsMustBeExactlyOneOfTheTerminalStatus() {
        assertEquals(List.of(Invariants.ONE_NOTIFICATION), broken(Judge.judge(order("CONFIRMED", "26.00"), facts(sold, paid, null), deadline)));
        assertEquals(List.of(Invariants.ONE_NOTIFICATION), broken(Judge.judge(order("CONFIRMED", "26.00"),
                facts(sold, paid, Map.of("ORDER_CANCELLED", 1)), deadline)));
        assertEquals(List.of(Invariants.ONE_NOTIFICATION), broken(Judge.judge(order("CONFIRMED", "26.00"),
                facts(sold, paid, Map.of("ORDER_CONFIRMED", 2)), deadline)));
    }

    @Test
    void pendingPastTheDeadlineIsStuckAndBeforeItIsNot() {
        var stuck = Judge.judge(order("PENDING", null), facts(null, null, null), deadline);
        assertEquals(List.of(Invariants.ORDER_TERMINAL), broken(stuck));
        var young = new OrderRecord(id, "PENDING", null, Map.of(), now.minusSeconds(10), now.minusSeconds(10));
        assertEquals(List.of(), Judge.judge(young, facts(null, null, null), deadline).violations());
    }

    @Test
    void aPeerThatDidNotAnswerLeavesItsInvariantsUndecided() {
        var verdict = Judge.judge(order("CONFIRMED", "26.00"), new Facts(null, Map.of(id, paid), null), deadline);
        assertEquals(List.of(Invariants.ORDER_TERMINAL), verdict.decided());
        assertEquals(List.of(), verdict.violations());
    }
}
