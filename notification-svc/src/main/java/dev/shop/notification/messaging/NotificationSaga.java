package dev.shop.notification.messaging;

import dev.shop.eventing.CloudEvent;
import dev.shop.eventing.EventCodec;
import dev.shop.eventing.EventConsumer;
import dev.shop.notification.domain.NotificationService;
import dev.shop.notification.domain.NotificationType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.UUID;

/**
 * notification-svc's saga steps (the end of every saga):
 * <pre>
 *   order.confirmed -> record ORDER_CONFIRMED
 *   order.cancelled -> record ORDER_CANCELLED
 * </pre>
 */
@ApplicationScoped
public class NotificationSaga {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(NotificationSaga.class);

    private final EventConsumer consumer;
    private final EventCodec codec;
    private final NotificationService notifications;

    public NotificationSaga(EventConsumer consumer, EventCodec codec, NotificationService notifications) {
        this.consumer = consumer;
        this.codec = codec;
        this.notifications = notifications;
    }

    @Incoming("shop-events-in")
    public Uni<Void> onMessage(Message<Object> message) {
        return consumer.consume(message, this::handle);
    }

    Uni<Void> handle(SqlClient tx, CloudEvent event) {
        NotificationType type = switch (event.type()) {
            case Events.ORDER_CONFIRMED -> NotificationType.ORDER_CONFIRMED;
            case Events.ORDER_CANCELLED -> NotificationType.ORDER_CANCELLED;
            default -> null;
        };
        if (type == null) {
            return Uni.createFrom().voidItem();
        }
        var finished = codec.dataAs(event, Events.OrderFinished.class);
        return notifications.record(tx, UUID.fromString(finished.orderId()), finished.customerId(), type,
                        finished.reason(), finished.total(), finished.callbackUrl())
                .invoke(n -> {
                    if (n == null) {
                        LOG.infof("order %s was already notified", finished.orderId());
                    } else {
                        LOG.infof("notified %s: order %s %s", finished.customerId(), finished.orderId(), type);
                    }
                })
                .replaceWithVoid();
    }
}
