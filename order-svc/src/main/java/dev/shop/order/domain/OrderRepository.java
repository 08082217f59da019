package dev.shop.order.domain;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class OrderRepository implements PanacheRepositoryBase<Order, UUID> {

    public Uni<Order> findByIdempotencyKey(String key) {
        return find("idempotencyKey", key).firstResult();
    }

    public Uni<List<Order>> findPendingPlacedBefore(Instant deadline, int limit) {
        return find("status = ?1 and createdAt < ?2 order by createdAt", OrderStatus.PENDING, deadline)
                .page(0, limit).list();
    }

    public Uni<Long> countPendingPlacedBefore(Instant instant) {
        return count("status = ?1 and createdAt < ?2", OrderStatus.PENDING, instant);
    }
}
