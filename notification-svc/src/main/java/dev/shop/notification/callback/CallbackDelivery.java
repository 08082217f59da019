package dev.shop.notification.callback;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/**
 * One result to push to an order's callback URL. Written in the same transaction as the
 * notification, so it cannot be lost; the dispatcher retries it until the target accepts it.
 * {@code id} is the delivery id the receiver deduplicates by.
 */
@Entity
@Table(name = "callback_delivery")
public class CallbackDelivery extends PanacheEntityBase {

    public static final String PENDING = "PENDING";
    public static final String DELIVERED = "DELIVERED";
    public static final String REJECTED = "REJECTED";

    @Id
    public UUID id;

    @Column(name = "order_id", nullable = false, unique = true)
    public UUID orderId;

    @Column(nullable = false, length = 2048)
    public String url;

    @Column(nullable = false, length = 4000)
    public String payload;

    @Column(nullable = false, length = 16)
    public String status;

    @Column(nullable = false)
    public int attempts;

    @Column(name = "next_attempt_at", nullable = false)
    public Instant nextAttemptAt;

    @Column(name = "last_error", length = 500)
    public String lastError;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "delivered_at")
    public Instant deliveredAt;
}
