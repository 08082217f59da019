package dev.shop.chaos;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker's verdicts over crafted state: a consistent world passes, and each kind of damage is named. */
class CheckerTest {

    private static final String CONFIRMED = "00000000-0000-0000-0000-00000000000c";
    private static final String CANCELLED = "00000000-0000-0000-0000-0000000000ca";
    private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");
    private final Checker checker = new Checker(Duration.ofSeconds(30), Duration.ofSeconds(60));

    /** Two orders of alice for SKU A (price 5): one confirmed (2 units, 10.00), one cancelled out of stock. */
    private static State consistent() {
        State s = new State();
        List<State.Line> two = List.of(new State.Line("A", 2));
        s.orders.put(CONFIRMED, new State.Order(CONFIRMED, "alice", "CONFIRMED", null, new BigDecimal("10.00"), T0, T0.plusMillis(300), true, two));
        s.orders.put(CANCELLED, new State.Order(CANCELLED, "alice", "CANCELLED", "OUT_OF_STOCK", new BigDecimal("50.00"), T0, T0.plusMillis(200), false,
                List.of(new State.Line("A", 10))));
        s.accepted.put(0, CONFIRMED);
        s.accepted.put(1, CANCELLED);
        s.reservations.put(CONFIRMED, new State.Reservation(CONFIRMED, "COMMITTED", two));
        s.reservations.put(CANCELLED, new State.Reservation(CANCELLED, "REJECTED", List.of()));
        s.products.put("A", new State.Product("A", 3, 0, 2, 5));
        s.expectedStock.put("A", 5L);
        s.payments.put(CONFIRMED, new State.Payment(CONFIRMED, "alice", new BigDecimal("10.00"), "AUTHORIZED"));
        s.accounts.put("alice", new State.Account("alice", new BigDecimal("90.00"), new BigDecimal("100.00")));
        s.expectedCredit.put("alice", new BigDecimal("100.00"));
        s.notifications.add(new State.Notification(CONFIRMED, "ORDER_CONFIRMED"));
        s.notifications.add(new State.Notification(CANCELLED, "ORDER_CANCELLED"));
        s.callbackDeliveries.add(new State.CallbackDelivery("d1", CONFIRMED, "DELIVERED"));
        s.callbacksReceived.put("d1", new java.util.ArrayList<>(List.of(CONFIRMED, CONFIRMED))); // a repeat of one delivery id is fine
        s.consumers.put("order.placed", Set.of("inventory"));
        s.consumers.put("order.confirmed", Set.of("inventory", "notification"));
        s.outbox.put("order", new java.util.ArrayList<>(List.of(
                new State.OutboxEvent("e1", "order.placed", CONFIRMED, true),
                new State.OutboxEvent("e2", "order.confirmed", CONFIRMED, true))));
        s.inbox.put("inventory", new HashSet<>(Set.of("e1", "e2")));
        s.inbox.put("notification", new HashSet<>(Set.of("e2")));
        s.deadLetters.add(new State.DeadLetter("billing", "dl1", "stock.reserved", "poison: schema", "REPLAYED"));
        s.queueDepths.put("order-svc.events", 0L);
        s.queueDepths.put("order-svc.dlq", 0L);
        return s;
    }

    private Set<String> verdicts(State s) {
        return checker.judge(s).stream().map(f -> f.check() + " " + f.subject()).collect(Collectors.toSet());
    }

    @Test
    void aConsistentWorldPassesEveryCheck() {
        assertEquals(List.of(), checker.judge(consistent()));
    }

    @Test
    void aDeletedPaymentNamesTheOrderAndTheAccount() {
        State s = consistent();
        s.payments.remove(CONFIRMED);
        assertEquals(Set.of("confirmed_consistent " + CONFIRMED, "credit_conserved alice"), verdicts(s));
    }

    @Test
    void anAcceptedOrderMissingFromOrderSvcIsLost() {
        State s = consistent();
        s.accepted.put(2, "lost-id");
        assertEquals(Set.of("accepted_not_lost lost-id"), verdicts(s));
    }

    @Test
    void aPendingOrderIsStuckAndALateOneIsLate() {
        State s = consistent();
        State.Order o = s.orders.get(CANCELLED);
        s.orders.put(CANCELLED, new State.Order(o.id(), o.customer(), "PENDING", null, o.total(), o.createdAt(), o.updatedAt(), false, o.lines()));
        assertTrue(verdicts(s).contains("terminal " + CANCELLED));
        s = consistent();
        o = s.orders.get(CANCELLED);
        s.orders.put(CANCELLED, new State.Order(o.id(), o.customer(), "CANCELLED", "TIMEOUT", o.total(), T0, T0.plusSeconds(91), false, o.lines()));
        assertEquals(Set.of("terminal_in_time " + CANCELLED), verdicts(s));
    }

    @Test
    void aCancelledOrderStillHoldingStockOrCreditIsNamed() {
        State s = consistent();
        s.reservations.put(CANCELLED, new State.Reservation(CANCELLED, "HELD", List.of(new State.Line("A", 10))));
        assertTrue(verdicts(s).contains("cancelled_consistent " + CANCELLED));
        s = consistent();
        s.payments.put(CANCELLED, new State.Payment(CANCELLED, "alice", new BigDecimal("50.00"), "AUTHORIZED"));
        assertTrue(verdicts(s).contains("cancelled_consistent " + CANCELLED));
        assertTrue(verdicts(s).contains("credit_conserved alice"));
    }

    @Test
    void stockThatAppearsIsLeftReservedOrIsSoldTwiceIsNamed() {
        State s = consistent();
        s.products.put("A", new State.Product("A", 4, 0, 2, 5));
        assertEquals(Set.of("stock_conserved A"), verdicts(s));
        s.products.put("A", new State.Product("A", 2, 1, 2, 5));
        assertEquals(Set.of("nothing_reserved A"), verdicts(s));
        s.products.put("A", new State.Product("A", 1, 0, 4, 5));
        assertEquals(Set.of("sold_once A"), verdicts(s));
    }

    @Test
    void aSecondChargeBreaksCreditConservation() {
        State s = consistent();
        s.accounts.put("alice", new State.Account("alice", new BigDecimal("80.00"), new BigDecimal("100.00")));
        assertEquals(Set.of("credit_conserved alice"), verdicts(s));
    }

    @Test
    void missingOrDuplicateNotificationsAreNamed() {
        State s = consistent();
        s.notifications.removeIf(n -> n.orderId().equals(CANCELLED));
        assertEquals(Set.of("one_notification " + CANCELLED), verdicts(s));
        s = consistent();
        s.notifications.add(new State.Notification(CONFIRMED, "ORDER_CONFIRMED"));
        assertEquals(Set.of("one_notification " + CONFIRMED), verdicts(s));
        s = consistent();
        s.notifications.set(0, new State.Notification(CONFIRMED, "ORDER_CANCELLED"));
        assertEquals(Set.of("one_notification " + CONFIRMED), verdicts(s));
    }

    @Test
    void callbacksUndeliveredOrUnderTwoIdsAreNamed() {
        State s = consistent();
        s.callbacksReceived.clear();
        assertEquals(Set.of("callback_once " + CONFIRMED), verdicts(s));
        s = consistent();
        s.callbacksReceived.put("d2", List.of(CONFIRMED));
        assertEquals(Set.of("callback_once " + CONFIRMED), verdicts(s));
    }

    @Test
    void anEventPublishedTwiceUnderDifferentIdsIsADuplicateEffect() {
        State s = consistent();
        s.outbox.get("order").add(new State.OutboxEvent("e3", "order.confirmed", CONFIRMED, true));
        s.inbox.get("inventory").add("e3");
        s.inbox.get("notification").add("e3");
        assertEquals(Set.of("events_not_duplicated " + CONFIRMED, "effects_once " + CONFIRMED), verdicts(s));
    }

    @Test
    void anEventMissingFromAConsumersInboxIsLost() {
        State s = consistent();
        s.inbox.get("notification").remove("e2");
        assertEquals(Set.of("events_not_lost " + CONFIRMED), verdicts(s));
        s = consistent();
        s.outbox.get("order").set(0, new State.OutboxEvent("e1", "order.placed", CONFIRMED, false));
        assertEquals(Set.of("events_published " + CONFIRMED), verdicts(s));
    }

    @Test
    void pendingDeadLettersAndNonEmptyQueuesFail() {
        State s = consistent();
        s.deadLetters.add(new State.DeadLetter("order", "dl2", "payment.authorized", "", "PENDING"));
        assertEquals(Set.of("dead_letters_accounted dl2"), verdicts(s));
        s = consistent();
        s.queueDepths.put("order-svc.dlq", 3L);
        assertEquals(Set.of("queues_drained order-svc.dlq"), verdicts(s));
    }

    @Test
    void orphanEffectsAndTheMonitorsOwnFindingsAreReported() {
        State s = consistent();
        s.payments.put("ghost", new State.Payment("ghost", "bob", new BigDecimal("5.00"), "AUTHORIZED"));
        assertTrue(verdicts(s).contains("no_orphan_effects ghost"));
        s = consistent();
        s.monitorViolations = List.of("stock_conserved A: available + reserved + sold != stocked");
        assertEquals(Set.of("correctness_monitor A"), verdicts(s));
        s.monitorViolations = null;
        assertEquals(Set.of("correctness_monitor order-svc"), verdicts(s));
    }
}
