package dev.shop.billing.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** Payment use cases; callers provide the transaction. Accounts are locked while credit changes. */
@ApplicationScoped
public class BillingService {

    /** @return the new payment, or null when this order was already decided (or cancelled first). */
    public Uni<Payment> authorize(UUID orderId, String customerId, BigDecimal amount) {
        return Payment.<Payment>findById(orderId).flatMap(existing -> existing != null ? Uni.createFrom().nullItem()
                : Account.<Account>findById(customerId, LockModeType.PESSIMISTIC_WRITE).flatMap(account -> {
                    Payment payment;
                    if (account == null) {
                        payment = Payment.of(orderId, customerId, amount, PaymentStatus.DECLINED);
                        payment.declineReason = "UNKNOWN_CUSTOMER";
                    } else if (!account.canPay(amount)) {
                        payment = Payment.of(orderId, customerId, amount, PaymentStatus.DECLINED);
                        payment.declineReason = "INSUFFICIENT_CREDIT";
                    } else {
                        account.credit = account.credit.subtract(amount);
                        payment = Payment.of(orderId, customerId, amount, PaymentStatus.AUTHORIZED);
                    }
                    return payment.persist();
                }));
    }

    /**
     * order.cancelled: give back what was taken. @return the refunded payment, or null when nothing
     * was charged (then a VOIDED row stops a late authorisation).
     */
    public Uni<Payment> refund(UUID orderId, String customerId) {
        return Payment.<Payment>findById(orderId, LockModeType.PESSIMISTIC_WRITE).flatMap(payment -> {
            if (payment == null) {
                return Payment.of(orderId, customerId, BigDecimal.ZERO, PaymentStatus.VOIDED).persist().replaceWith((Payment) null);
            }
            if (payment.status != PaymentStatus.AUTHORIZED) {
                return Uni.createFrom().nullItem();
            }
            return Account.<Account>findById(payment.customerId, LockModeType.PESSIMISTIC_WRITE).map(account -> {
                account.credit = account.credit.add(payment.amount);
                payment.status = PaymentStatus.REFUNDED;
                payment.updatedAt = Instant.now();
                return payment;
            });
        });
    }

    /** Creates the account or replaces its remaining credit; the change is booked as granted in the same transaction. */
    public Uni<Boolean> setCredit(String customerId, BigDecimal credit) {
        return Panache.withTransaction(() -> Account.<Account>findById(customerId, LockModeType.PESSIMISTIC_WRITE).flatMap(existing -> {
            Account account = existing != null ? existing : new Account();
            account.customerId = customerId;
            account.grant(credit);
            return account.persist().replaceWith(existing == null);
        }));
    }

    public Uni<Account> account(String customerId) {
        return Panache.withSession(() -> Account.findById(customerId));
    }

    /** The payment of an order, or null while there is none (a VOIDED marker is not a payment). */
    /** The payment of an order, if {@code owner} is empty (staff) or is the order's customer; null otherwise. */
    public Uni<Payment> payment(UUID orderId, java.util.Optional<String> owner) {
        return Panache.withSession(() -> owner.isEmpty() ? Payment.<Payment>findById(orderId)
                        : Payment.<Payment>find("orderId = ?1 and customerId = ?2", orderId, owner.get()).firstResult())
                .map(p -> p == null || p.status == PaymentStatus.VOIDED ? null : p);
    }
}
