package dev.shop.order.journey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shop.eventing.CloudEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import java.util.List;
import java.util.UUID;

/**
 * Choreography's blind spot is "where is my order?". order-svc's queue is bound to every saga
 * event type, and this projection records each one, so one query answers it: the ordered timeline
 * across all four services. It is written with a plain idempotent insert (event id is the key),
 * outside the saga step's transaction: a step that fails and is retried shows its event once, as
 * "received", and the order's status says whether it took effect.
 */
@ApplicationScoped
public class JourneyProjection {

    private final Pool pool;

    public JourneyProjection(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> record(CloudEvent event) {
        UUID orderId;
        try {
            orderId = UUID.fromString(event.subject());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().voidItem();
        }
        Tuple row = Tuple.tuple()
                .addUUID(UUID.fromString(event.id()))
                .addUUID(orderId)
                .addString(event.type())
                .addString(event.source() == null ? "unknown" : event.source().replaceFirst("^/", ""))
                .addOffsetDateTime(event.time() == null ? OffsetDateTime.now(ZoneOffset.UTC) : event.time())
                .addString(outcome(event.type(), event.data()))
                .addString(event.traceparent() == null ? null : event.traceparent().split("-")[1]);
        return pool.preparedQuery("insert into journey_step (event_id, order_id, type, service, occurred_at, outcome, trace_id) "
                + "values ($1, $2, $3, $4, $5, $6, $7) on conflict (event_id) do nothing").execute(row).replaceWithVoid();
    }

    /** One saga event of one order. */
    @RegisterForReflection
    public record Step(String type, String service, Instant time, String outcome, String traceId) {
    }

    public Uni<List<Step>> of(UUID orderId) {
        return pool.preparedQuery("select type, service, occurred_at, outcome, trace_id from journey_step "
                        + "where order_id = $1 order by occurred_at, type").execute(Tuple.of(orderId))
                .map(rows -> {
                    List<Step> steps = new java.util.ArrayList<>();
                    rows.forEach(r -> steps.add(new Step(r.getString("type"), r.getString("service"),
                            r.getOffsetDateTime("occurred_at").toInstant(), r.getString("outcome"), r.getString("trace_id"))));
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
