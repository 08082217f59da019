package dev.shop.notification.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** What the customer was told about an order. Exactly one per finished order: order_id is unique. */
@Entity
@Table(name = "notification")
public class Notification extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "order_id", nullable = false, unique = true)
    public UUID orderId;

    @Column(name = "customer_id", nullable = false, length = 64)
    public String customerId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 32)
    public NotificationType type;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
