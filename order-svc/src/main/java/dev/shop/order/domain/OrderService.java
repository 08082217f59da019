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
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
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
 * Order use cases. Every state change and the event it causes are written in one transaction,
 * through the outbox: placement's own, a saga step's ({@code tx}, the consumer's), or the timeout
 * sweeper's (Hibernate Reactive, which checks the {@code version} the others bump).
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
    private final Pool pool;

    public OrderService(OrderRepository repository, Outbox outbox, JourneyProjection journey, MeterRegistry registry, Pool pool) {
        this.pool = pool;
        this.repository = repository;
        this.outbox = outbox;
        this.journey = journey;
        this.registry = registry;
    }

    /** Outbox row and journey step of an event this service publishes, both in the current Hibernate Reactive transaction. */
    private Uni<CloudEvent> publish(String type, Order order, Object data) {
        return outbox.append(type, order.id.toString(), data).flatMap(journey::recordOwn);
    }

    /** The same, in a saga step's transaction {@code tx}. */
    private Uni<CloudEvent> publish(SqlClient tx, String type, Order order, Object data) {
        return outbox.append(tx, type, order.id.toString(), data).flatMap(event -> journey.recordOwn(tx, event));
    }

    private static final String INSERT = "insert into orders (id, customer_id, status, idempotency_key, request_hash, callback_url, "
            + "created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)";
    private static final String INSERT_LINE = "insert into order_line (order_id, line_no, sku, quantity) values ($1, $2, $3, $4)";

    /**
     * Places an order, or returns the order already placed under the same idempotency key.
     * The same key with a different request is a client error (422), never a second order.
     * The order, its lines, its outbox row and its journey step commit in one transaction.
     */
    public Uni<Placement> place(String customerId, List<OrderLine> items, String callbackUrl, String idempotencyKey) {
        String hash = requestHash(customerId, items, callbackUrl);
        Uni<Placement> attempt = pool.withTransaction(tx -> existing(tx, customerId, idempotencyKey, hash)
                .flatMap(found -> found != null ? Uni.createFrom().item(found) : create(tx, customerId, items, callbackUrl, idempotencyKey, hash)));
        if (idempotencyKey == null) {
            return attempt;
        }
        // Two concurrent requests with one key: the loser's insert hits the unique index; it then finds the winner's order.
        return attempt.onFailure(f -> !(f instanceof ProblemException)).recoverWithUni(f ->
                existing(pool, customerId, idempotencyKey, hash)
                        .flatMap(found -> found != null ? Uni.createFrom().item(found) : Uni.createFrom().failure(f)));
    }

    private Uni<Placement> existing(SqlClient db, String customerId, String key, String hash) {
        if (key == null) {
            return Uni.createFrom().nullItem();
        }
        return db.preparedQuery(SELECT + "o.customer_id = $1 and o.idempotency_key = $2 order by l.line_no").execute(Tuple.of(customerId, key))
                .map(OrderService::order).map(order -> {
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

    private Uni<Placement> create(SqlClient tx, String customerId, List<OrderLine> items, String callbackUrl, String key, String hash) {
        Order order = Order.place(customerId, items, callbackUrl, Instant.now());
        order.idempotencyKey = key;
        order.requestHash = hash;
        var placed = new Events.OrderPlaced(order.id.toString(), customerId,
                items.stream().map(l -> new Events.Line(l.sku, l.quantity)).toList(), order.createdAt);
        org.jboss.logging.MDC.put("orderId", order.id.toString());
        List<Tuple> lines = new java.util.ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            lines.add(Tuple.of(order.id, i, items.get(i).sku, items.get(i).quantity));
        }
        return tx.preparedQuery(INSERT).execute(Tuple.of(order.id, customerId, order.status.name(), key, hash, callbackUrl)
                        .addValue(order.createdAt.atOffset(java.time.ZoneOffset.UTC)))
                .flatMap(ignored -> tx.preparedQuery(INSERT_LINE).executeBatch(lines))
                .flatMap(ignored -> publish(tx, Events.ORDER_PLACED, order, placed))
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

    private static final String SELECT = "select o.id, o.customer_id, o.total, o.status, o.cancellation_reason, o.idempotency_key, "
            + "o.request_hash, o.callback_url, o.created_at, o.updated_at, l.sku, l.quantity, l.unit_price "
            + "from orders o left join order_line l on l.order_id = o.id where ";
    private static final String LOCK = SELECT + "o.id = $1 order by l.line_no for update of o";
    private static final String UPDATE = "update orders set total = $2, status = $3, cancellation_reason = $4, updated_at = $5, "
            + "version = version + 1 where id = $1";
    private static final String UPDATE_PRICE = "update order_line set unit_price = $3 where order_id = $1 and line_no = $2";

    /** stock.reserved, in the saga step's transaction {@code tx}: remember unit prices and total. */
    public Uni<Void> priced(SqlClient tx, UUID orderId, List<PricedLine> lines, BigDecimal total) {
        Map<String, BigDecimal> prices = lines.stream()
                .collect(Collectors.toMap(PricedLine::sku, PricedLine::unitPrice, (a, b) -> a));
        return lock(tx, orderId).flatMap(order -> {
            if (order == null) {
                LOG.warnf("stock.reserved for unknown order %s ignored", orderId);
                return Uni.createFrom().voidItem();
            }
            if (!order.price(prices, total, Instant.now()).applied()) {
                return Uni.createFrom().voidItem();
            }
            LOG.infof("order %s priced: total %s", orderId, total);
            List<Tuple> priced = new java.util.ArrayList<>();
            for (int i = 0; i < order.items.size(); i++) {
                priced.add(Tuple.of(orderId, i, order.items.get(i).unitPrice));
            }
            return update(tx, order).flatMap(ignored -> tx.preparedQuery(UPDATE_PRICE).executeBatch(priced)).replaceWithVoid();
        });
    }

    /** payment.authorized: the saga succeeded. A late authorisation for a cancelled order is ignored (billing refunds it on order.cancelled). */
    public Uni<Void> confirm(SqlClient tx, UUID orderId, BigDecimal amount) {
        return lock(tx, orderId).flatMap(order -> {
            if (order == null || !order.confirm(amount, Instant.now()).applied()) {
                return Uni.createFrom().voidItem();
            }
            recordFinished(order);
            LOG.infof("order %s confirmed", orderId);
            return update(tx, order).flatMap(ignored -> publish(tx, Events.ORDER_CONFIRMED, order,
                    new Events.OrderConfirmed(order.id.toString(), order.customerId, order.total, order.callbackUrl))).replaceWithVoid();
        });
    }

    /** Any rejection: cancel once, and let inventory and billing compensate on order.cancelled. */
    public Uni<Void> cancel(SqlClient tx, UUID orderId, CancellationReason reason) {
        return lock(tx, orderId).flatMap(order -> {
            if (order == null || !order.cancel(reason, Instant.now()).applied()) {
                return Uni.createFrom().voidItem();
            }
            recordFinished(order);
            LOG.infof("order %s cancelled: %s", order.id, reason);
            return update(tx, order).flatMap(ignored -> publish(tx, Events.ORDER_CANCELLED, order,
                    new Events.OrderCancelled(order.id.toString(), order.customerId, reason.name(), order.total, order.callbackUrl)))
                    .replaceWithVoid();
        });
    }

    /**
     * The order and its lines, its row locked until {@code tx} ends (the timeout sweeper, which writes
     * through Hibernate with the {@code version} check, then loses to this step or waits for it); null
     * if there is no such order.
     */
    private Uni<Order> lock(SqlClient tx, UUID orderId) {
        return tx.preparedQuery(LOCK).execute(Tuple.of(orderId)).map(OrderService::order);
    }

    /** The order in {@code rows} (one row per line, lines in order), or null if there are none. */
    private static Order order(Iterable<Row> rows) {
        Order order = null;
        for (Row row : rows) {
            if (order == null) {
                order = new Order();
                order.id = row.getUUID("id");
                order.customerId = row.getString("customer_id");
                order.total = row.getBigDecimal("total");
                order.status = OrderStatus.valueOf(row.getString("status"));
                String reason = row.getString("cancellation_reason");
                order.cancellationReason = reason == null ? null : CancellationReason.valueOf(reason);
                order.idempotencyKey = row.getString("idempotency_key");
                order.requestHash = row.getString("request_hash");
                order.callbackUrl = row.getString("callback_url");
                order.createdAt = row.getOffsetDateTime("created_at").toInstant();
                order.updatedAt = row.getOffsetDateTime("updated_at").toInstant();
            }
            if (row.getString("sku") != null) {
                OrderLine line = new OrderLine(row.getString("sku"), row.getInteger("quantity"));
                line.unitPrice = row.getBigDecimal("unit_price");
                order.items.add(line);
            }
        }
        return order;
    }

    /** Writes the order's state (not its lines), bumping the version Hibernate's writers check. */
    private Uni<Void> update(SqlClient tx, Order order) {
        return tx.preparedQuery(UPDATE).execute(Tuple.of(order.id, order.total, order.status.name(),
                order.cancellationReason == null ? null : order.cancellationReason.name(),
                order.updatedAt.atOffset(java.time.ZoneOffset.UTC))).replaceWithVoid();
    }

    /** The timeout sweeper's cancellation (Hibernate Reactive session, see {@link #cancelOverdue}). */
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
