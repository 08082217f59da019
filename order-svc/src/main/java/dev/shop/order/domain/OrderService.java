package dev.shop.order.domain;

import dev.shop.eventing.CloudEvent;
import dev.shop.eventing.Outbox;
import dev.shop.eventing.http.ProblemException;
import dev.shop.order.journey.JourneyProjection;
import dev.shop.order.messaging.Events;
import dev.shop.order.messaging.Events.PricedLine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Order use cases. Every state change and the event it causes are written in one transaction
 * (the caller's: the REST call's or the consumer's), through the outbox.
 */
@ApplicationScoped
public class OrderService {

    private static final Logger LOG = Logger.getLogger(OrderService.class);

    public record Placement(Order order, boolean created) {
    }

    private final OrderRepository repository;
    private final Outbox outbox;
    private final JourneyProjection journey;
    private final MeterRegistry registry;

    public OrderService(OrderRepository repository, Outbox outbox, JourneyProjection journey, MeterRegistry registry) {
        this.repository = repository;
        this.outbox = outbox;
        this.journey = journey;
        this.registry = registry;
    }

    /** Outbox row and journey step of an event this service publishes, both in the current transaction. */
    private Uni<CloudEvent> publish(String type, Order order, Object data) {
        return outbox.append(type, order.id.toString(), data).flatMap(journey::recordOwn);
    }

    /**
     * Places an order, or returns the order already placed under the same idempotency key.
     * The same key with a different request is a client error (422), never a second order.
     */
    public Uni<Placement> place(String customerId, List<OrderLine> items, String callbackUrl, String idempotencyKey) {
        String hash = requestHash(customerId, items, callbackUrl);
        Uni<Placement> attempt = Panache.withTransaction(() -> existing(customerId, idempotencyKey, hash)
                .flatMap(found -> found != null ? Uni.createFrom().item(found) : create(customerId, items, callbackUrl, idempotencyKey, hash)));
        if (idempotencyKey == null) {
            return attempt;
        }
        // Two concurrent requests with one key: the loser's insert hits the unique index; it then finds the winner's order.
        return attempt.onFailure(f -> !(f instanceof ProblemException)).recoverWithUni(f ->
                Panache.withSession(() -> existing(customerId, idempotencyKey, hash))
                        .flatMap(found -> found != null ? Uni.createFrom().item(found) : Uni.createFrom().failure(f)));
    }

    private Uni<Placement> existing(String customerId, String key, String hash) {
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return repository.findByIdempotencyKey(customerId, key).map(order -> {
            if (order == null) {
                return null;
            }
            if (!order.requestHash.equals(hash)) {
                throw new ProblemException(422, "urn:shop:problem:idempotency-key-reused", "Idempotency-Key reused",
                        "Idempotency-Key '" + key + "' was already used for a different request (order " + order.id + ")");
            }
            return new Placement(order, false);
        });
    }

    private Uni<Placement> create(String customerId, List<OrderLine> items, String callbackUrl, String key, String hash) {
        Order order = Order.place(customerId, items, callbackUrl, Instant.now());
        order.idempotencyKey = key;
        order.requestHash = hash;
        var placed = new Events.OrderPlaced(order.id.toString(), customerId,
                items.stream().map(l -> new Events.Line(l.sku, l.quantity)).toList(), order.createdAt);
        org.jboss.logging.MDC.put("orderId", order.id.toString());
        return repository.persist(order)
                .flatMap(o -> publish(Events.ORDER_PLACED, order, placed))
                .invoke(() -> {
                    registry.counter("shop.orders.placed").increment();
                    LOG.infof("order %s placed by %s with %d line(s)", order.id, customerId, items.size());
                })
                .replaceWith(new Placement(order, true));
    }

    public Uni<Order> find(UUID id) {
        return Panache.withSession(() -> repository.findById(id));
    }

    /** The order if {@code owner} is empty (staff) or is its customer; null otherwise, exactly as for a missing order. */
    public Uni<Order> findVisible(UUID id, java.util.Optional<String> owner) {
        return Panache.withSession(() -> repository.findVisible(id, owner));
    }

    /** A page of orders (newest first); asks for one more than {@code limit} so the caller knows whether another page exists. */
    public Uni<List<Order>> page(java.util.Optional<String> owner, java.util.Optional<OrderStatus> status,
                                 java.util.Optional<OrderRepository.Cursor> after, int limit) {
        return Panache.withSession(() -> repository.page(owner, status, after, limit));
    }

    /** stock.reserved: remember unit prices and total. Runs in the consumer's transaction. */
    public Uni<Void> priced(UUID orderId, List<PricedLine> lines, BigDecimal total) {
        Map<String, BigDecimal> prices = lines.stream()
                .collect(Collectors.toMap(PricedLine::sku, PricedLine::unitPrice, (a, b) -> a));
        return repository.findById(orderId).invoke(order -> {
            if (order == null) {
                LOG.warnf("stock.reserved for unknown order %s ignored", orderId);
            } else if (order.price(prices, total, Instant.now()).applied()) {
                LOG.infof("order %s priced: total %s", orderId, total);
            }
        }).replaceWithVoid();
    }

    /** payment.authorized: the saga succeeded. A late authorisation for a cancelled order is ignored (billing refunds it on order.cancelled). */
    public Uni<Void> confirm(UUID orderId, BigDecimal amount) {
        return repository.findById(orderId).flatMap(order -> {
            if (order == null || !order.confirm(amount, Instant.now()).applied()) {
                return Uni.createFrom().voidItem();
            }
            recordFinished(order);
            LOG.infof("order %s confirmed", orderId);
            return publish(Events.ORDER_CONFIRMED, order,
                    new Events.OrderConfirmed(order.id.toString(), order.customerId, order.total, order.callbackUrl)).replaceWithVoid();
        });
    }

    /** Any rejection or the deadline: cancel once, and let inventory and billing compensate on order.cancelled. */
    public Uni<Void> cancel(UUID orderId, CancellationReason reason) {
        return repository.findById(orderId).flatMap(order -> order == null ? Uni.createFrom().voidItem() : cancel(order, reason));
    }

    Uni<Void> cancel(Order order, CancellationReason reason) {
        if (!order.cancel(reason, Instant.now()).applied()) {
            return Uni.createFrom().voidItem();
        }
        recordFinished(order);
        LOG.infof("order %s cancelled: %s", order.id, reason);
        return publish(Events.ORDER_CANCELLED, order,
                new Events.OrderCancelled(order.id.toString(), order.customerId, reason.name(), order.total, order.callbackUrl)).replaceWithVoid();
    }

    /** Cancels pending orders older than the deadline; returns how many. */
    public Uni<Integer> cancelOverdue(Duration deadline, int batch) {
        return Panache.withTransaction(() -> repository.findPendingPlacedBefore(Instant.now().minus(deadline), batch)
                .flatMap(overdue -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Order order : overdue) {
                        chain = chain.flatMap(x -> cancel(order, CancellationReason.TIMEOUT));
                    }
                    return chain.replaceWith(overdue.size());
                }));
    }

    private void recordFinished(Order order) {
        String outcome = order.status == OrderStatus.CONFIRMED ? "confirmed" : "cancelled";
        String reason = order.cancellationReason == null ? "none" : order.cancellationReason.name();
        registry.counter("shop.orders.finished", "outcome", outcome, "reason", reason).increment();
        Timer.builder("shop.saga.duration").tag("outcome", outcome).publishPercentileHistogram()
                .register(registry).record(Duration.between(order.createdAt, order.updatedAt));
    }

    static String requestHash(String customerId, List<OrderLine> items, String callbackUrl) {
        String canonical = customerId + "|" + items.stream().map(l -> l.sku + ":" + l.quantity).collect(Collectors.joining(","))
                + "|" + (callbackUrl == null ? "" : callbackUrl);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
