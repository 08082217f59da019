package dev.shop.order.correctness;

import java.util.List;

/** The names of the invariants the monitor checks (the {@code invariant} label of {@code shop_invariant_violations}). */
public final class Invariants {

    /** An order reached exactly one terminal state within its deadline plus the grace period. */
    public static final String ORDER_TERMINAL = "order_terminal";
    /** CONFIRMED: its stock sold (reservation COMMITTED, same lines) and its payment AUTHORIZED for the order's total. */
    public static final String CONFIRMED_CONSISTENT = "confirmed_consistent";
    /** CANCELLED: no stock left held or sold for it, no payment left authorized (voided, refunded or declined). */
    public static final String CANCELLED_CONSISTENT = "cancelled_consistent";
    /** A terminal order has exactly one notification, of its terminal status. */
    public static final String ONE_NOTIFICATION = "one_notification";
    /** Per product: available + reserved + sold = units ever stocked (inventory-svc). */
    public static final String STOCK_CONSERVED = "stock_conserved";
    /** Per product: reserved = the units of HELD reservations (inventory-svc). */
    public static final String RESERVED_MATCHES_HOLDS = "reserved_matches_holds";
    /** Per account: credit granted − authorized payments = current credit (billing-svc). */
    public static final String CREDIT_CONSERVED = "credit_conserved";

    /** Checked per order, from order-svc's orders and the peers' facts about them. */
    public static final List<String> PER_ORDER = List.of(ORDER_TERMINAL, CONFIRMED_CONSISTENT, CANCELLED_CONSISTENT, ONE_NOTIFICATION);
    public static final List<String> INVENTORY = List.of(STOCK_CONSERVED, RESERVED_MATCHES_HOLDS);
    public static final List<String> BILLING = List.of(CREDIT_CONSERVED);
    /** The whole-table ones (the peers', recomputed every {@code shop.correctness.invariants-period}). */
    public static final List<String> GLOBAL = List.of(STOCK_CONSERVED, RESERVED_MATCHES_HOLDS, CREDIT_CONSERVED);
    public static final List<String> ALL = List.of(ORDER_TERMINAL, CONFIRMED_CONSISTENT, CANCELLED_CONSISTENT, ONE_NOTIFICATION,
            STOCK_CONSERVED, RESERVED_MATCHES_HOLDS, CREDIT_CONSERVED);

    private Invariants() {
    }
}
