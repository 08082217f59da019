package dev.shop.notification.domain;

import dev.shop.notification.callback.CallbackDelivery;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class NotificationService {

    private static final String INSERT = "insert into notification (id, order_id, customer_id, type, created_at) "
            + "values ($1, $2, $3, $4, $5) on conflict (order_id) do nothing";
    private static final String INSERT_CALLBACK = "insert into callback_delivery "
            + "(id, order_id, url, payload, status, attempts, next_attempt_at, created_at) values ($1, $2, $3, $4, $5, 0, $6, $7)";

    /**
     * Records the outcome of a finished order, once, in the saga step's transaction {@code tx}. An
     * order finishes once (order-svc guarantees it), so a second event for the same order can only be
     * a redelivery under a new id; the unique order_id makes it a no-op.
     * @return the new notification, or null if the order was already notified.
     */
    public Uni<Notification> record(SqlClient tx, UUID orderId, String customerId, NotificationType type, String reason,
                                    java.math.BigDecimal total, String callbackUrl) {
        Notification n = new Notification();
        n.id = UUID.randomUUID();
        n.orderId = orderId;
        n.customerId = customerId;
        n.type = type;
        n.createdAt = Instant.now();
        OffsetDateTime at = n.createdAt.atOffset(ZoneOffset.UTC);
        return tx.preparedQuery(INSERT).execute(Tuple.of(n.id, orderId, customerId, type.name(), at)).flatMap(rows -> {
            if (rows.rowCount() == 0) {
                return Uni.createFrom().nullItem();
            }
            if (callbackUrl == null) {
                return Uni.createFrom().item(n);
            }
            CallbackDelivery d = callbackFor(n, reason, total, callbackUrl);
            return tx.preparedQuery(INSERT_CALLBACK)
                    .execute(Tuple.of(d.id, d.orderId, d.url, d.payload, d.status, at).addValue(at))
                    .replaceWith(n);
        });
    }

    /** The delivery is stored with the notification: the result reaches the client even if every call fails for a while. */
    private CallbackDelivery callbackFor(Notification n, String reason, java.math.BigDecimal total, String url) {
        var body = new java.util.LinkedHashMap<String, Object>();
        CallbackDelivery d = new CallbackDelivery();
        d.id = UUID.randomUUID();
        body.put("deliveryId", d.id.toString());
        body.put("orderId", n.orderId.toString());
        body.put("customerId", n.customerId);
        body.put("status", n.type == NotificationType.ORDER_CONFIRMED ? "CONFIRMED" : "CANCELLED");
        body.put("cancellationReason", reason);
        body.put("total", total);
        body.put("finishedAt", n.createdAt.toString());
        d.orderId = n.orderId;
        d.url = url;
        d.payload = io.vertx.core.json.Json.encode(body);
        d.status = CallbackDelivery.PENDING;
        d.nextAttemptAt = n.createdAt;
        d.createdAt = n.createdAt;
        return d;
    }

    public Uni<List<Notification>> find(UUID orderId, String customerId, int limit) {
        return Panache.withSession(() -> {
            if (orderId != null) {
                // Ownership is part of the query: a customer asking for another's order finds nothing.
                return customerId == null ? Notification.<Notification>list("orderId", orderId)
                        : Notification.<Notification>list("orderId = ?1 and customerId = ?2", orderId, customerId);
            }
            if (customerId != null) {
                return Notification.<Notification>find("customerId = ?1 order by createdAt desc", customerId).page(0, limit).list();
            }
            return Notification.<Notification>find("order by createdAt desc").page(0, limit).list();
        });
    }
}
