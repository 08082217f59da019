package dev.shop.order.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The order aggregate and its state machine: PENDING -> CONFIRMED | CANCELLED. Each transition
 * checks its own precondition, so redelivered, duplicated or late events are harmless: they yield
 * {@link Transition#IGNORED} and nothing is emitted. {@code version} makes concurrent writers (a
 * saga handler and the timeout sweeper) serialise: the loser retries and then sees the new state.
 */
@Entity
@Table(name = "orders")
public class Order extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "customer_id", nullable = false, length = 64)
    public String customerId;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "order_line", joinColumns = @JoinColumn(name = "order_id"))
    @OrderColumn(name = "line_no")
    public List<OrderLine> items = new ArrayList<>();

    @Column(precision = 12, scale = 2)
    public BigDecimal total;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public OrderStatus status;

    @Enumerated(EnumType.STRING)
    @Column(name = "cancellation_reason", length = 32)
    public CancellationReason cancellationReason;

    @Column(name = "idempotency_key", length = 200) // unique per customer (V1_2)
    public String idempotencyKey;

    @Column(name = "request_hash", length = 64)
    public String requestHash;

    @Column(name = "callback_url", length = 2048)
    public String callbackUrl;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    public static Order place(String customerId, List<OrderLine> items, String callbackUrl, Instant now) {
        Order order = new Order();
        order.id = UUID.randomUUID();
        order.customerId = customerId;
        order.items = new ArrayList<>(items);
        order.callbackUrl = callbackUrl;
        order.status = OrderStatus.PENDING;
        order.createdAt = now;
        order.updatedAt = now;
        return order;
    }

    /** Inventory priced the reservation. Only a pending, not yet priced order takes prices. */
    public Transition price(Map<String, BigDecimal> unitPrices, BigDecimal total, Instant now) {
        if (status != OrderStatus.PENDING || this.total != null) {
            return Transition.IGNORED;
        }
        for (OrderLine line : items) {
            line.unitPrice = unitPrices.get(line.sku);
        }
        this.total = total;
        this.updatedAt = now;
        return Transition.APPLIED;
    }

    /** Payment was authorised: the saga succeeded, unless the order was already cancelled. */
    public Transition confirm(BigDecimal amountCharged, Instant now) {
        if (status != OrderStatus.PENDING) {
            return Transition.IGNORED;
        }
        if (total == null) {
            total = amountCharged;
        }
        status = OrderStatus.CONFIRMED;
        updatedAt = now;
        return Transition.APPLIED;
    }

    /** Any rejection or the deadline ends a pending order; a finished order is never reopened. */
    public Transition cancel(CancellationReason reason, Instant now) {
        if (status != OrderStatus.PENDING) {
            return Transition.IGNORED;
        }
        status = OrderStatus.CANCELLED;
        cancellationReason = reason;
        updatedAt = now;
        return Transition.APPLIED;
    }

    public boolean isFinished() {
        return status != OrderStatus.PENDING;
    }
}
