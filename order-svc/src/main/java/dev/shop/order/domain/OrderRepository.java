package dev.shop.order.domain;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class OrderRepository implements PanacheRepositoryBase<Order, UUID> {

    /** Idempotency keys are the customer's own: another customer's key is just a different key. */
    /** The order, if {@code owner} is empty (staff) or owns it; otherwise nothing, as if it did not exist. */
    public Uni<Order> findVisible(UUID id, Optional<String> owner) {
        return owner.isEmpty() ? findById(id)
                : find("id = ?1 and customerId = ?2", id, owner.get()).firstResult();
    }

    /**
     * One page of orders, newest first, by keyset (created_at, id): stable under concurrent inserts
     * and as cheap on page 1000 as on page 1 (indexes orders_customer_created / orders_created).
     */
    public Uni<List<Order>> page(Optional<String> owner, Optional<OrderStatus> status, Optional<Cursor> after, int limit) {
        StringBuilder where = new StringBuilder("1 = 1");
        Parameters params = new Parameters();
        owner.ifPresent(c -> {
            where.append(" and customerId = :customer");
            params.and("customer", c);
        });
        status.ifPresent(s -> {
            where.append(" and status = :status");
            params.and("status", s);
        });
        after.ifPresent(c -> {
            where.append(" and (createdAt < :createdAt or (createdAt = :createdAt and id < :id))");
            params.and("createdAt", c.createdAt()).and("id", c.id());
        });
        return find(where + " order by createdAt desc, id desc", params).page(0, limit).list();
    }

    /** Where the previous page ended. */
    public record Cursor(Instant createdAt, UUID id) {
    }

    /**
     * Overdue PENDING orders, locked for this transaction, skipping any row another transaction holds
     * (a saga step about to settle it, or another replica's sweep). Without SKIP LOCKED two replicas'
     * sweeps took the same batch, one lost on the version check and its whole batch rolled back, tick
     * after tick, while payments kept confirming orders long past their deadline (./shop chaos --seed 2).
     */
    public Uni<List<Order>> findPendingPlacedBefore(Instant deadline, int limit) {
        // Native SQL: Hibernate Reactive's Panache queries take no lock-timeout hint (SKIP_LOCKED).
        return getSession().flatMap(session -> session.createNativeQuery(
                        "select * from orders where status = 'PENDING' and created_at < :deadline"
                                + " order by created_at limit :limit for update skip locked", Order.class)
                .setParameter("deadline", deadline).setParameter("limit", limit)
                .getResultList());
    }

    public Uni<Long> countPendingPlacedBefore(Instant instant) {
        return count("status = ?1 and createdAt < ?2", OrderStatus.PENDING, instant);
    }
}
