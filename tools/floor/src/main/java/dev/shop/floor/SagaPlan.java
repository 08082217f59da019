package dev.shop.floor;

/**
 * What one order costs in messages and commits with shop's design, counted from the code (happy path:
 * reserved, authorised, confirmed; one line per order) and checked against pg_stat_user_tables after
 * a real benchmark run (docs/benchmark.md). The floor does exactly this, no more.
 *
 * <pre>
 * step (service)                       commits (+ relay mark)          rows written                                   publishes
 * POST /orders (order)                 1 (+1 mark)                     orders, order_line, outbox, journey_step ins.  order.placed
 * order.placed (inventory)             1 (+1 mark)                     inbox, reservation, reservation_line, outbox   stock.reserved
 *                                                                       ins.; product upd.
 * stock.reserved (order)               1                               journey_step, inbox ins.; orders, order_line upd.
 * stock.reserved (billing)             1 (+1 mark)                     inbox, payment, outbox ins.; account upd.      payment.authorized
 * payment.authorized (order)           1 (+1 mark)                     journey_step x2, inbox, outbox ins.; orders upd. order.confirmed
 * order.confirmed (inventory)          1 (+1 mark)                     inbox, outbox ins.; reservation, product upd.  stock.committed
 * order.confirmed (notification)       1                               inbox, notification ins.
 * stock.committed (order)              1 journey (no inbox: idempotent journey_step ins.
 *                                        projection only)
 * </pre>
 * A relay mark is {@code update outbox set published_at = now()} after the broker confirmed the row.
 * Under load, consumers commit up to 32 deliveries per transaction and the relay marks a whole round
 * at once, so commits per order fall below {@link #COMMITS} (never rows, messages or inbox entries).
 */
public final class SagaPlan {

    /** Persistent, confirmed publishes to shop.events per order. */
    public static final int PUBLISHES = 5;
    /** Deliveries to the services' quorum queues, each acknowledged after its commit (the benchmark's tap not counted). */
    public static final int DELIVERIES = 7;
    /** Deliveries handled in a transaction with an inbox row (all but stock.committed to order-svc). */
    public static final int INBOX_ROWS = 6;
    /** Commits per order when nothing is batched (consumer batch size 1): order 6, inventory 4, billing 2, notification 1. */
    public static final int COMMITS = 13;
    public static final int COMMITS_ORDER = 6;
    public static final int COMMITS_INVENTORY = 4;
    public static final int COMMITS_BILLING = 2;
    public static final int COMMITS_NOTIFICATION = 1;
    /** Rows inserted per order: order 11, inventory 6, billing 3, notification 2. */
    public static final int ROWS_INSERTED = 22;
    /** Rows updated per order (relay marks included): order 5, inventory 5, billing 2. */
    public static final int ROWS_UPDATED = 12;

    private SagaPlan() {
    }
}
