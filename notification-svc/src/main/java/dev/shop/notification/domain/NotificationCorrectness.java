package dev.shop.notification.domain;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What notification-svc tells the correctness monitor (order-svc): how many notifications of each
 * type it recorded for given orders, in one SQL statement. The monitor expects exactly one per
 * terminal order. Today {@code order_id} is unique, so a count above one cannot happen here; the
 * count is reported anyway so the check does not rest on that constraint staying in place.
 * notification-svc has no invariant of its own to report.
 */
@ApplicationScoped
public class NotificationCorrectness {

    public record TypeCount(NotificationType type, long count) {
    }

    public record OrderFacts(UUID orderId, List<TypeCount> notifications) {
    }

    private static final String FACTS = """
            select order_id, type, count(*) as notified
              from notification
             where order_id = any($1)
             group by order_id, type
             order by order_id, type""";

    private final Pool pool;

    public NotificationCorrectness(Pool pool) {
        this.pool = pool;
    }

    /** Notification counts per type of the given orders; orders never notified are left out. */
    public Uni<List<OrderFacts>> facts(Collection<UUID> orderIds) {
        return pool.preparedQuery(FACTS).execute(Tuple.tuple().addArrayOfUUID(orderIds.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, OrderFacts> byOrder = new LinkedHashMap<>();
            for (Row row : rows) {
                byOrder.computeIfAbsent(row.getUUID("order_id"), id -> new OrderFacts(id, new ArrayList<>())).notifications()
                        .add(new TypeCount(NotificationType.valueOf(row.getString("type")), row.getLong("notified")));
            }
            return List.copyOf(byOrder.values());
        });
    }
}
