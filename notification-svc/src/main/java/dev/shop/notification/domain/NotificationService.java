package dev.shop.notification.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class NotificationService {

    /**
     * Records the outcome of a finished order, once. An order finishes once (order-svc guarantees
     * it), so a second event for the same order can only be a redelivery under a new id; it is ignored.
     * @return the new notification, or null if the order was already notified.
     */
    public Uni<Notification> record(UUID orderId, String customerId, NotificationType type) {
        return Notification.<Notification>find("orderId", orderId).firstResult().flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().nullItem();
            }
            Notification n = new Notification();
            n.id = UUID.randomUUID();
            n.orderId = orderId;
            n.customerId = customerId;
            n.type = type;
            n.createdAt = Instant.now();
            return n.persist();
        });
    }

    public Uni<List<Notification>> find(UUID orderId, String customerId, int limit) {
        return Panache.withSession(() -> {
            if (orderId != null) {
                return Notification.<Notification>list("orderId", orderId);
            }
            if (customerId != null) {
                return Notification.<Notification>find("customerId = ?1 order by createdAt desc", customerId).page(0, limit).list();
            }
            return Notification.<Notification>find("order by createdAt desc").page(0, limit).list();
        });
    }
}
