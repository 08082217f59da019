package dev.shop.billing.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** At most one payment per order: the order id is the key, so a second authorisation is impossible. */
@Entity
@Table(name = "payment")
public class Payment extends PanacheEntityBase {

    @Id
    @Column(name = "order_id")
    public UUID orderId;

    @Column(name = "customer_id", nullable = false, length = 64)
    public String customerId;

    @Column(nullable = false, precision = 12, scale = 2)
    public BigDecimal amount;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public PaymentStatus status;

    @Column(name = "decline_reason", length = 32)
    public String declineReason;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    static Payment of(UUID orderId, String customerId, BigDecimal amount, PaymentStatus status) {
        Payment p = new Payment();
        p.orderId = orderId;
        p.customerId = customerId;
        p.amount = amount;
        p.status = status;
        p.updatedAt = Instant.now();
        return p;
    }
}
