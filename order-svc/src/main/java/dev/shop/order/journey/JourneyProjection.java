package dev.shop.order.journey;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shop.eventing.CloudEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * Choreography's blind spot is "where is my order?". order-svc's queue is bound to every saga
 * event type, and this projection records each one (in the consumer's transaction, deduplicated by
 * the inbox), so one query answers it: the ordered timeline across all four services.
 */
@ApplicationScoped
public class JourneyProjection {

    public Uni<Void> record(CloudEvent event) {
        UUID orderId;
        try {
            orderId = UUID.fromString(event.subject());
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().voidItem();
        }
        JourneyStep step = new JourneyStep();
        step.eventId = UUID.fromString(event.id());
        step.orderId = orderId;
        step.type = event.type();
        step.service = event.source() == null ? "unknown" : event.source().replaceFirst("^/", "");
        step.occurredAt = event.time() == null ? java.time.Instant.now() : event.time().toInstant();
        step.outcome = outcome(event.type(), event.data());
        step.traceId = event.traceparent() == null ? null : event.traceparent().split("-")[1];
        return step.persist().replaceWithVoid();
    }

    public Uni<List<JourneyStep>> of(UUID orderId) {
        return Panache.withSession(() -> JourneyStep.<JourneyStep>list("orderId = ?1 order by occurredAt, type", orderId));
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
