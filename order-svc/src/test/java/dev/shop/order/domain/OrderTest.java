package dev.shop.order.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class OrderTest {

    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private Order pending() {
        return Order.place("alice", List.of(new OrderLine("A", 2), new OrderLine("B", 1)), null, now);
    }

    @Test
    void newOrderIsPendingWithoutTotal() {
        Order order = pending();
        assertEquals(OrderStatus.PENDING, order.status);
        assertNull(order.total);
        assertNull(order.cancellationReason);
    }

    @Test
    void pricingSetsUnitPricesAndTotalOnce() {
        Order order = pending();
        assertEquals(Transition.APPLIED, order.price(Map.of("A", new BigDecimal("1.50"), "B", new BigDecimal("2.00")), new BigDecimal("5.00"), now));
        assertEquals(new BigDecimal("1.50"), order.items.get(0).unitPrice);
        assertEquals(Transition.IGNORED, order.price(Map.of(), new BigDecimal("9.99"), now));
        assertEquals(new BigDecimal("5.00"), order.total);
    }

    @Test
    void pendingOrderConfirms() {
        Order order = pending();
        assertEquals(Transition.APPLIED, order.confirm(new BigDecimal("5.00"), now));
        assertEquals(OrderStatus.CONFIRMED, order.status);
        assertEquals(new BigDecimal("5.00"), order.total);
    }

    @Test
    void confirmedOrderIsNeverCancelled() {
        Order order = pending();
        order.confirm(BigDecimal.ONE, now);
        assertEquals(Transition.IGNORED, order.cancel(CancellationReason.TIMEOUT, now));
        assertEquals(OrderStatus.CONFIRMED, order.status);
        assertNull(order.cancellationReason);
    }

    @Test
    void cancelledOrderIsNotResurrectedByLatePayment() {
        Order order = pending();
        assertEquals(Transition.APPLIED, order.cancel(CancellationReason.TIMEOUT, now));
        assertEquals(Transition.IGNORED, order.confirm(BigDecimal.TEN, now));
        assertEquals(Transition.IGNORED, order.cancel(CancellationReason.PAYMENT_DECLINED, now));
        assertEquals(OrderStatus.CANCELLED, order.status);
        assertEquals(CancellationReason.TIMEOUT, order.cancellationReason);
    }

    @Test
    void requestHashDependsOnEveryField() {
        var lines = List.of(new OrderLine("A", 1));
        String base = OrderService.requestHash("alice", lines, null);
        assertEquals(base, OrderService.requestHash("alice", List.of(new OrderLine("A", 1)), null));
        org.junit.jupiter.api.Assertions.assertNotEquals(base, OrderService.requestHash("bob", lines, null));
        org.junit.jupiter.api.Assertions.assertNotEquals(base, OrderService.requestHash("alice", List.of(new OrderLine("A", 2)), null));
        org.junit.jupiter.api.Assertions.assertNotEquals(base, OrderService.requestHash("alice", lines, "http://x"));
    }
}
