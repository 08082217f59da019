package dev.shop.billing.messaging;

import dev.shop.billing.domain.BillingService;
import dev.shop.billing.domain.Payment;
import dev.shop.billing.domain.PaymentStatus;
import dev.shop.eventing.CloudEvent;
import dev.shop.eventing.EventCodec;
import dev.shop.eventing.EventConsumer;
import dev.shop.eventing.Outbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.UUID;

/**
 * billing-svc's saga steps, one per event (each in the consumer's single transaction):
 * <pre>
 *   stock.reserved  -> authorise the total against the customer's credit => payment.authorized | payment.declined
 *   order.cancelled -> refund an authorised payment                      => payment.refunded (compensation)
 * </pre>
 */
@ApplicationScoped
public class BillingSaga {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(BillingSaga.class);

    private final EventConsumer consumer;
    private final EventCodec codec;
    private final BillingService billing;
    private final Outbox outbox;
    private final MeterRegistry registry;

    public BillingSaga(EventConsumer consumer, EventCodec codec, BillingService billing, Outbox outbox, MeterRegistry registry) {
        this.registry = registry;
        this.consumer = consumer;
        this.codec = codec;
        this.billing = billing;
        this.outbox = outbox;
    }

    @Incoming("shop-events-in")
    public Uni<Void> onMessage(Message<Object> message) {
        return consumer.consume(message, this::handle);
    }

    Uni<Void> handle(SqlClient tx, CloudEvent event) {
        return switch (event.type()) {
            case Events.STOCK_RESERVED -> {
                var reserved = codec.dataAs(event, Events.StockReserved.class);
                yield billing.authorize(tx, UUID.fromString(reserved.orderId()), reserved.customerId(), reserved.total())
                        .flatMap(payment -> publishDecision(tx, payment));
            }
            case Events.ORDER_CANCELLED -> onOrderCancelled(tx, codec.dataAs(event, Events.OrderCancelled.class));
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> onOrderCancelled(SqlClient tx, Events.OrderCancelled cancelled) {
        String orderId = cancelled.orderId();
        return billing.refund(tx, UUID.fromString(orderId), cancelled.customerId()).flatMap(refunded -> {
            if (refunded == null) {
                LOG.infof("order %s cancelled: nothing to refund", orderId);
                return Uni.createFrom().voidItem();
            }
            LOG.infof("refunded %s to %s for cancelled order %s", refunded.amount, refunded.customerId, orderId);
            registry.counter("shop.compensations", "action", "refund").increment();
            return outbox.append(tx, Events.PAYMENT_REFUNDED, orderId,
                    new Events.PaymentRefunded(orderId, refunded.customerId, refunded.amount)).replaceWithVoid();
        });
    }

    private Uni<Void> publishDecision(SqlClient tx, Payment payment) {
        if (payment == null) {
            LOG.info("stock.reserved for an order already decided or cancelled: nothing charged");
            return Uni.createFrom().voidItem();
        }
        String orderId = payment.orderId.toString();
        LOG.infof("payment for order %s %s: %s%s", orderId, payment.status, payment.amount,
                payment.declineReason == null ? "" : " (" + payment.declineReason + ")");
        return (payment.status == PaymentStatus.AUTHORIZED
                ? outbox.append(tx, Events.PAYMENT_AUTHORIZED, orderId, new Events.PaymentAuthorized(orderId, payment.customerId, payment.amount))
                : outbox.append(tx, Events.PAYMENT_DECLINED, orderId,
                        new Events.PaymentDeclined(orderId, payment.customerId, payment.amount, payment.declineReason)))
                .replaceWithVoid();
    }
}
