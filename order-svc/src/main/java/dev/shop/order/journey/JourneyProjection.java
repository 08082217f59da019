package dev.shop.order.journey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shop.eventing.CloudEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import java.util.List;
import java.util.UUID;

/**
 * Choreography's blind spot is "where is my order?". This projection records every saga event of
 * an order, so one query answers it: the ordered timeline across all four services.
 * <ul>
 *   <li>Events of the other services arrive on order-svc's queue (bound to every type they publish)
 *   and are written with an idempotent insert (event id is the key): in the saga step's transaction
 *   for the events a step reacts to (no commit of its own; the step shows once it has taken effect),
 *   on its own for the others.</li>
 *   <li>Events order-svc publishes itself are recorded in the transaction that writes them to the
 *   outbox ({@link #recordOwn}), so they are not delivered back to it (two fewer deliveries per order).</li>
 * </ul>
 */
@ApplicationScoped
public class JourneyProjection {

    private final Pool pool;

    public JourneyProjection(Pool pool) {
        this.pool = pool;
    }

    private static final String INSERT = "insert into journey_step (event_id, order_id, type, service, occurred_at, outcome, trace_id) "
            + "values ($1, $2, $3, $4, $5, $6, nullif($7, '')) on conflict (event_id) do nothing";
    /** As {@link #INSERT}, plus the moment order-svc received the event (first delivery wins). */
    private static final String INSERT_RECEIVED = "insert into journey_step (event_id, order_id, type, service, occurred_at, outcome, trace_id, received_at) "
            + "values ($1, $2, $3, $4, $5, $6, nullif($7, ''), $8) on conflict (event_id) do nothing";

    /** An event received from the broker, written with {@code db} (a saga step's transaction, or the pool); idempotent by event id. */
    public Uni<Void> record(SqlClient db, CloudEvent event) {
        UUID orderId = orderId(event);
        if (orderId == null) {
            return Uni.createFrom().voidItem();
        }
        // Received now, by this JVM's clock; the event time is the producer's clock. On one machine they
        // agree; across hosts the broker hop shown on the ops page is only as good as their clock sync.
        List<Object> row = new java.util.ArrayList<>(row(event, orderId));
        row.add(OffsetDateTime.now(ZoneOffset.UTC));
        return db.preparedQuery(INSERT_RECEIVED).execute(Tuple.from(row)).replaceWithVoid();
    }

    /** An event order-svc publishes: written in a saga step's transaction {@code tx}, next to its outbox row. */
    public Uni<CloudEvent> recordOwn(SqlClient tx, CloudEvent event) {
        return tx.preparedQuery(INSERT).execute(Tuple.from(row(event, UUID.fromString(event.subject())))).replaceWith(event);
    }

    /** The same, in the current Hibernate Reactive transaction (placement, the timeout sweeper). */
    public Uni<CloudEvent> recordOwn(CloudEvent event) {
        List<Object> row = row(event, UUID.fromString(event.subject()));
        return Panache.getSession().flatMap(session -> {
                    var insert = session.createNativeQuery(INSERT.replace('$', '?'));
                    for (int i = 0; i < row.size(); i++) {
                        insert.setParameter(i + 1, row.get(i));
                    }
                    return insert.executeUpdate();
                })
                .replaceWith(event);
    }

    /** The INSERT's seven values, in order. */
    private static List<Object> row(CloudEvent event, UUID orderId) {
        return List.of(UUID.fromString(event.id()), orderId, event.type(), service(event), time(event),
                outcome(event.type(), event.data()), traceId(event));
    }

    private static UUID orderId(CloudEvent event) {
        try {
            return UUID.fromString(event.subject());
        } catch (IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    private static String service(CloudEvent event) {
        return event.source() == null ? "unknown" : event.source().replaceFirst("^/", "");
    }

    private static OffsetDateTime time(CloudEvent event) {
        return event.time() == null ? OffsetDateTime.now(ZoneOffset.UTC) : event.time();
    }

    private static String traceId(CloudEvent event) {
        // Never null: an untyped null parameter is ambiguous to PostgreSQL in a native query.
        return event.traceparent() == null ? "" : event.traceparent().split("-")[1];
    }

    /**
     * One saga event of one order: {@code time} when its producer created it (the event's own time),
     * {@code receivedAt} when order-svc took it off its queue (null for order-svc's own events).
     */
    @RegisterForReflection
    public record Step(String type, String service, Instant time, String outcome, String traceId, Instant receivedAt) {
    }

    public Uni<List<Step>> of(UUID orderId) {
        return pool.preparedQuery("select type, service, occurred_at, outcome, trace_id, received_at from journey_step "
                        + "where order_id = $1 order by occurred_at, type").execute(Tuple.of(orderId))
                .map(rows -> {
                    List<Step> steps = new java.util.ArrayList<>();
                    rows.forEach(r -> {
                        OffsetDateTime received = r.getOffsetDateTime("received_at");
                        steps.add(new Step(r.getString("type"), r.getString("service"), r.getOffsetDateTime("occurred_at").toInstant(),
                                r.getString("outcome"), r.getString("trace_id"), received == null ? null : received.toInstant()));
                    });
                    return steps;
                });
    }

    static String outcome(String type, JsonNode d) {
        String outcome = switch (type) {
            case "order.placed" -> "placed " + d.path("items").size() + " line(s)";
            case "stock.reserved" -> "stock reserved, total " + d.path("total").asText();
            case "stock.rejected" -> "rejected: " + d.path("reason").asText() + " (" + d.path("sku").asText() + ")";
            case "payment.authorized" -> "payment authorized: " + d.path("amount").asText();
            case "payment.declined" -> "payment declined: " + d.path("reason").asText();
            case "order.confirmed" -> "order confirmed";
            case "order.cancelled" -> "order cancelled: " + d.path("reason").asText();
            case "stock.committed" -> "stock sold";
            case "stock.released" -> "stock released (compensation)";
            case "payment.refunded" -> "payment refunded (compensation): " + d.path("amount").asText();
            default -> type;
        };
        return outcome.length() > 300 ? outcome.substring(0, 300) : outcome;
    }
}
