package dev.shop.notification.callback;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Operator view of callback deliveries and the per-host circuit breakers (admin-only once auth exists). */
@Path("/admin/callbacks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
public class CallbackResource {

    @RegisterForReflection
    public record Delivery(UUID id, UUID orderId, String url, String status, int attempts, Instant nextAttemptAt,
                           String lastError, Instant deliveredAt) {
    }

    @RegisterForReflection
    public record View(Map<String, String> circuits, List<Delivery> deliveries) {
    }

    private final CallbackDispatcher dispatcher;

    public CallbackResource(CallbackDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @GET
    @Operation(summary = "Callback deliveries (newest first) and the circuit state of every target host")
    public Uni<View> list(@QueryParam("status") String status, @QueryParam("limit") @DefaultValue("100") int limit) {
        return Panache.withSession(() -> (status == null
                        ? CallbackDelivery.<CallbackDelivery>find("order by createdAt desc")
                        : CallbackDelivery.<CallbackDelivery>find("status = ?1 order by createdAt desc", status))
                        .page(0, Math.min(Math.max(limit, 1), 1000)).list())
                .map(rows -> new View(
                        dispatcher.circuits().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().name())),
                        rows.stream().map(d -> new Delivery(d.id, d.orderId, d.url, d.status, d.attempts, d.nextAttemptAt,
                                d.lastError, d.deliveredAt)).toList()));
    }
}
