package dev.shop.billing.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;

/** Payment use cases; callers provide the transaction. Accounts are locked while credit changes. */
@ApplicationScoped
public class BillingService {

    private static final String LOCK_ACCOUNT = "select credit from account where customer_id = $1 for update";
    /** A payment row; fails on an existing one (the VOIDED marker: the retry then finds the authorisation). */
    private static final String INSERT_PAYMENT_ROW = "insert into payment (order_id, customer_id, amount, status, decline_reason, updated_at) "
            + "values ($1, $2, $3, $4, $5, $6)";
    /** A decision, unless one exists for the order already. */
    private static final String INSERT_PAYMENT = INSERT_PAYMENT_ROW + " on conflict (order_id) do nothing";
    private static final String CHARGE = "update account set credit = credit - $2, version = version + 1 where customer_id = $1";
    private static final String LOCK_PAYMENT = "select customer_id, amount, status from payment where order_id = $1 for update";
    private static final String REFUND = "update account set credit = credit + $2, version = version + 1 where customer_id = $1";
    private static final String MARK_REFUNDED = "update payment set status = $2, updated_at = $3, version = version + 1 where order_id = $1";

    /**
     * stock.reserved, in the saga step's transaction {@code tx}: the customer's account is locked, the
     * decision recorded as the order's payment (its key: one per order) and, if authorised, charged.
     * @return the new payment, or null when this order was already decided (or cancelled first).
     */
    public Uni<Payment> authorize(SqlClient tx, UUID orderId, String customerId, BigDecimal amount) {
        return tx.preparedQuery(LOCK_ACCOUNT).execute(Tuple.of(customerId)).flatMap(rows -> {
            Account account = null;
            if (rows.size() == 1) {
                account = new Account();
                account.customerId = customerId;
                account.credit = rows.iterator().next().getBigDecimal("credit");
            }
            Payment payment = decide(account, orderId, customerId, amount);
            return tx.preparedQuery(INSERT_PAYMENT).execute(Tuple.of(orderId, customerId, amount, payment.status.name(),
                            payment.declineReason, payment.updatedAt.atOffset(ZoneOffset.UTC)))
                    .flatMap(inserted -> {
                        if (inserted.rowCount() == 0) {
                            return Uni.createFrom().nullItem(); // a payment (or a VOIDED marker) exists: decided before
                        }
                        return payment.status != PaymentStatus.AUTHORIZED ? Uni.createFrom().item(payment)
                                : tx.preparedQuery(CHARGE).execute(Tuple.of(customerId, amount)).replaceWith(payment);
                    });
        });
    }

    /** The decision on an order's payment: declined without an account or without enough credit. */
    static Payment decide(Account account, UUID orderId, String customerId, BigDecimal amount) {
        if (account == null) {
            Payment payment = Payment.of(orderId, customerId, amount, PaymentStatus.DECLINED);
            payment.declineReason = "UNKNOWN_CUSTOMER";
            return payment;
        }
        if (!account.canPay(amount)) {
            Payment payment = Payment.of(orderId, customerId, amount, PaymentStatus.DECLINED);
            payment.declineReason = "INSUFFICIENT_CREDIT";
            return payment;
        }
        return Payment.of(orderId, customerId, amount, PaymentStatus.AUTHORIZED);
    }

    /**
     * order.cancelled, in the saga step's transaction {@code tx}: give back what was taken.
     * @return the refunded payment, or null when nothing was charged (then a VOIDED row stops a late
     * authorisation).
     */
    public Uni<Payment> refund(SqlClient tx, UUID orderId, String customerId) {
        return tx.preparedQuery(LOCK_PAYMENT).execute(Tuple.of(orderId)).flatMap(rows -> {
            if (rows.size() == 0) {
                Payment voided = Payment.of(orderId, customerId, BigDecimal.ZERO, PaymentStatus.VOIDED);
                // No "on conflict": an authorisation committing meanwhile fails this attempt, and the retry refunds it.
                return tx.preparedQuery(INSERT_PAYMENT_ROW)
                        .execute(Tuple.of(orderId, customerId, BigDecimal.ZERO, voided.status.name(), null,
                                voided.updatedAt.atOffset(ZoneOffset.UTC)))
                        .replaceWith((Payment) null);
            }
            Row row = rows.iterator().next();
            if (!PaymentStatus.AUTHORIZED.name().equals(row.getString("status"))) {
                return Uni.createFrom().nullItem();
            }
            Payment payment = Payment.of(orderId, row.getString("customer_id"), row.getBigDecimal("amount"), PaymentStatus.REFUNDED);
            return tx.preparedQuery(REFUND).execute(Tuple.of(payment.customerId, payment.amount))
                    .flatMap(ignored -> tx.preparedQuery(MARK_REFUNDED).execute(Tuple.of(orderId, payment.status.name(),
                            payment.updatedAt.atOffset(ZoneOffset.UTC))))
                    .replaceWith(payment);
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
