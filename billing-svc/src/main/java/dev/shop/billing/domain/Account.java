package dev.shop.billing.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;

/**
 * A customer's credit line. {@code credit} is what is left; it never goes negative (also a DB CHECK).
 * {@code granted} is all credit ever granted (admin changes, a decrease counting negative), so credit is
 * conserved: {@code granted - sum(AUTHORIZED payments) = credit} (checked by {@link CreditCorrectness}).
 */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    @Id
    @Column(name = "customer_id", length = 64)
    public String customerId;

    @Column(nullable = false, precision = 12, scale = 2)
    public BigDecimal credit;

    /** Credit ever granted: the initial credit plus every admin adjustment. Payments and refunds leave it alone. */
    @Column(nullable = false, precision = 16, scale = 2)
    public BigDecimal granted = BigDecimal.ZERO;

    @Version
    public long version;

    public boolean canPay(BigDecimal amount) {
        return credit.compareTo(amount) >= 0;
    }

    /** An admin sets the remaining credit: the difference is booked as granted (negative when taken away). */
    void grant(BigDecimal newCredit) {
        granted = granted.add(newCredit.subtract(credit == null ? BigDecimal.ZERO : credit));
        credit = newCredit;
    }
}
