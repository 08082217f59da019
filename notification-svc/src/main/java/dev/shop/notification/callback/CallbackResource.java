package dev.shop.notification.callback;

import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.RolesAllowed;
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
import dev.shop.eventing.http.Problem;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/** Operator view of callback deliveries and the per-host circuit breakers. */
@Path("/admin/callbacks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
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
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listCallbacks", summary = "Callback deliveries (newest first) and the circuit state of every target host")
    @org.eclipse.microprofile.openapi.annotations.responses.APIResponse(responseCode = "200", description = "Deliveries and circuits",
            content = @org.eclipse.microprofile.openapi.annotations.media.Content(
                    schema = @org.eclipse.microprofile.openapi.annotations.media.Schema(implementation = View.class)))
    @APIResponse(responseCode = "400", description = "Invalid status or limit",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<View> list(@Parameter(description = "Only deliveries in this status: PENDING, DELIVERED or REJECTED") @QueryParam("status") @jakarta.validation.constraints.Pattern(regexp = "PENDING|DELIVERED|REJECTED") String status,
                          @Parameter(description = "At most this many deliveries") @QueryParam("limit") @DefaultValue("100") @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(1000) int limit) {
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
