package dev.shop.order.messaging;

import dev.shop.eventing.CloudEvent;
import dev.shop.eventing.EventCodec;
import dev.shop.eventing.EventConsumer;
import dev.shop.order.domain.CancellationReason;
import dev.shop.order.domain.OrderService;
import dev.shop.order.journey.JourneyProjection;
import dev.shop.order.messaging.Events.PaymentAuthorized;
import dev.shop.order.messaging.Events.PaymentDeclined;
import dev.shop.order.messaging.Events.StockRejected;
import dev.shop.order.messaging.Events.StockReserved;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.Set;
import java.util.UUID;

/**
 * order-svc's saga steps, one per event it reacts to. Each runs inside the consumer's transaction
 * (inbox + journey + state + outbox commit together) and is acknowledged only after that commit.
 * Every event the other services publish (order-svc's queue is bound to all of them) is also recorded
 * in the order's journey (the events no step reacts to on their own, idempotently by event id);
 * order-svc's own events are recorded where they are written (OrderService).
 *
 * <pre>
 *   stock.reserved     -> order priced (total known)
 *   stock.rejected     -> order CANCELLED (OUT_OF_STOCK | UNKNOWN_PRODUCT)  => order.cancelled
 *   payment.authorized -> order CONFIRMED                                    => order.confirmed
 *   payment.declined   -> order CANCELLED (PAYMENT_DECLINED)                 => order.cancelled
 * </pre>
 */
@ApplicationScoped
public class OrderSaga {

    private final EventConsumer consumer;
    private final EventCodec codec;
    private final OrderService orders;
    private final JourneyProjection journey;

    public OrderSaga(EventConsumer consumer, EventCodec codec, OrderService orders, JourneyProjection journey) {
        this.journey = journey;
        this.consumer = consumer;
        this.codec = codec;
        this.orders = orders;
    }

    private static final Set<String> STEPS = Set.of(Events.STOCK_RESERVED, Events.STOCK_REJECTED,
            Events.PAYMENT_AUTHORIZED, Events.PAYMENT_DECLINED);

    @Incoming("shop-events-in")
    public Uni<Void> onMessage(Message<Object> message) {
        // Only saga steps need the transactional path; the other events only feed the journey.
        return consumer.consume(message, this::handle, STEPS::contains);
    }

    Uni<Void> handle(SqlClient tx, CloudEvent event) {
        return journey.record(tx, event).flatMap(recorded -> react(tx, event));
    }

    private Uni<Void> react(SqlClient tx, CloudEvent event) {
        return switch (event.type()) {
            case Events.STOCK_RESERVED -> {
                StockReserved e = codec.dataAs(event, StockReserved.class);
                yield orders.priced(tx, UUID.fromString(e.orderId()), e.items(), e.total());
            }
            case Events.STOCK_REJECTED -> {
                StockRejected e = codec.dataAs(event, StockRejected.class);
                yield orders.cancel(tx, UUID.fromString(e.orderId()), CancellationReason.valueOf(e.reason()));
            }
            case Events.PAYMENT_AUTHORIZED -> {
                PaymentAuthorized e = codec.dataAs(event, PaymentAuthorized.class);
                yield orders.confirm(tx, UUID.fromString(e.orderId()), e.amount());
            }
            case Events.PAYMENT_DECLINED -> {
                PaymentDeclined e = codec.dataAs(event, PaymentDeclined.class);
                yield orders.cancel(tx, UUID.fromString(e.orderId()), CancellationReason.PAYMENT_DECLINED);
            }
            // Tolerant reader: an event type this service does not react to is acknowledged and ignored.
            default -> Uni.createFrom().voidItem();
        };
    }
}
