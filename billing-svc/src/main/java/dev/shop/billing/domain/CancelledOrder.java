package dev.shop.billing.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * Remembers an order.cancelled that arrived before billing saw the order's stock.reserved (e.g. the
 * order timed out while billing was down), so the late stock.reserved charges nothing.
 */
@Entity
@Table(name = "cancelled_order")
public class CancelledOrder extends PanacheEntityBase {

    @Id
    @Column(name = "order_id")
    public UUID orderId;

    @Column(name = "cancelled_at", nullable = false)
    public Instant cancelledAt;
}
