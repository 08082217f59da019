package dev.shop.billing.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;

/** A customer's credit line. {@code credit} is what is left; it never goes negative (also a DB CHECK). */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    @Id
    @Column(name = "customer_id", length = 64)
    public String customerId;

    @Column(nullable = false, precision = 12, scale = 2)
    public BigDecimal credit;

    @Version
    public long version;

    public boolean canPay(BigDecimal amount) {
        return credit.compareTo(amount) >= 0;
    }
}
