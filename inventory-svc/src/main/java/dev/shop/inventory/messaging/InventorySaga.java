package dev.shop.inventory.messaging;

import dev.shop.eventing.CloudEvent;
import dev.shop.eventing.EventCodec;
import dev.shop.eventing.EventConsumer;
import dev.shop.eventing.Outbox;
import dev.shop.inventory.domain.InventoryService;
import dev.shop.inventory.domain.InventoryService.Quantity;
import dev.shop.inventory.domain.InventoryService.ReserveOutcome;
import dev.shop.inventory.domain.ReservationLine;
import dev.shop.inventory.messaging.Events.Line;
import dev.shop.inventory.messaging.Events.OrderFinished;
import dev.shop.inventory.messaging.Events.OrderPlaced;
import dev.shop.inventory.messaging.Events.PricedLine;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.List;
import java.util.UUID;

/**
 * inventory-svc's saga steps, one per event (each in the consumer's single transaction):
 * <pre>
 *   order.placed    -> reserve all lines or none   => stock.reserved | stock.rejected
 *   order.confirmed -> held units are sold          => stock.committed
 *   order.cancelled -> held units are released      => stock.released  (compensation)
 * </pre>
 */
@ApplicationScoped
public class InventorySaga {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(InventorySaga.class);

    private final EventConsumer consumer;
    private final EventCodec codec;
    private final InventoryService inventory;
    private final Outbox outbox;
    private final MeterRegistry registry;

    public InventorySaga(EventConsumer consumer, EventCodec codec, InventoryService inventory, Outbox outbox, MeterRegistry registry) {
        this.registry = registry;
        this.consumer = consumer;
        this.codec = codec;
        this.inventory = inventory;
        this.outbox = outbox;
    }

    @Incoming("shop-events-in")
    public Uni<Void> onMessage(Message<Object> message) {
        return consumer.consume(message, this::handle);
    }

    Uni<Void> handle(SqlClient tx, CloudEvent event) {
        return switch (event.type()) {
            case Events.ORDER_PLACED -> onOrderPlaced(tx, codec.dataAs(event, OrderPlaced.class));
            case Events.ORDER_CONFIRMED -> {
                String orderId = codec.dataAs(event, OrderFinished.class).orderId();
                yield inventory.commit(tx, UUID.fromString(orderId))
                        .flatMap(sold -> settled(tx, Events.STOCK_COMMITTED, orderId, sold));
            }
            case Events.ORDER_CANCELLED -> {
                String orderId = codec.dataAs(event, OrderFinished.class).orderId();
                yield inventory.release(tx, UUID.fromString(orderId))
                        .invoke(released -> {
                            if (!released.isEmpty()) {
                                registry.counter("shop.compensations", "action", "release").increment();
                            }
                        })
                        .flatMap(released -> settled(tx, Events.STOCK_RELEASED, orderId, released));
            }
            default -> Uni.createFrom().voidItem();
        };
    }

    private Uni<Void> onOrderPlaced(SqlClient tx, OrderPlaced placed) {
        var wanted = placed.items().stream().map(l -> new Quantity(l.sku(), l.quantity())).toList();
        return inventory.reserve(tx, UUID.fromString(placed.orderId()), wanted).flatMap(outcome -> {
            if (outcome instanceof ReserveOutcome.Reserved r) {
                LOG.infof("reserved %d line(s) for order %s, total %s", r.reservation().lines.size(), placed.orderId(), r.reservation().total());
                return outbox.append(tx, Events.STOCK_RESERVED, placed.orderId(), new Events.StockReserved(
                        placed.orderId(), placed.customerId(),
                        r.reservation().lines.stream().map(l -> new PricedLine(l.sku, l.quantity, l.unitPrice)).toList(),
                        r.reservation().total())).replaceWithVoid();
            }
            if (outcome instanceof ReserveOutcome.Rejected r) {
                LOG.infof("rejected order %s: %s (%s)", placed.orderId(), r.reason(), r.sku());
                return outbox.append(tx, Events.STOCK_REJECTED, placed.orderId(),
                        new Events.StockRejected(placed.orderId(), placed.customerId(), r.reason(), r.sku())).replaceWithVoid();
            }
            LOG.infof("order %s already decided (%s); placement ignored", placed.orderId(), ((ReserveOutcome.AlreadyDecided) outcome).status());
            return Uni.createFrom().voidItem(); // AlreadyDecided: duplicate placement, or cancelled before it arrived
        });
    }

    private Uni<Void> settled(SqlClient tx, String type, String orderId, List<ReservationLine> lines) {
        if (lines.isEmpty()) {
            LOG.infof("%s: nothing held for order %s", type, orderId);
            return Uni.createFrom().voidItem();
        }
        LOG.infof("%s for order %s: %d line(s)", type, orderId, lines.size());
        return outbox.append(tx, type, orderId, new Events.StockSettled(orderId,
                lines.stream().map(l -> new Line(l.sku, l.quantity)).toList())).replaceWithVoid();
    }
}
