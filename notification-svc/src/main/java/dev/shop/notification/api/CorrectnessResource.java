package dev.shop.notification.api;

import dev.shop.eventing.http.OrderIds;
import dev.shop.eventing.http.Problem;
import dev.shop.eventing.security.Roles;
import dev.shop.notification.api.CorrectnessViews.Invariants;
import dev.shop.notification.api.CorrectnessViews.OrderFacts;
import dev.shop.notification.api.CorrectnessViews.OrdersFacts;
import dev.shop.notification.api.CorrectnessViews.OrdersRequest;
import dev.shop.notification.domain.NotificationCorrectness;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;

/**
 * The peer side of order-svc's correctness monitor: the notifications recorded for given orders.
 * Read-only; operators and admins only (the monitor passes a staff token).
 */
@Path("/api/v1/admin/correctness")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but not an operator's or admin's",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class CorrectnessResource {

    private final NotificationCorrectness correctness;
    private final String service;

    public CorrectnessResource(NotificationCorrectness correctness, @ConfigProperty(name = "quarkus.application.name") String service) {
        this.correctness = correctness;
        this.service = service;
    }

    @POST
    @Path("orders")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "correctnessOrderFacts", summary = "The notifications recorded for the given orders (for the correctness monitor)",
            description = "Answers with the number of notifications of each type for every given order this service notified; "
                    + "orders it never notified are left out. One database query per request.")
    @APIResponse(responseCode = "200", description = "The notifications of the known orders", content = @Content(schema = @Schema(implementation = OrdersFacts.class)))
    @APIResponse(responseCode = "400", description = "No orderIds, more than 500, or one that is not a UUID",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB; refused by the HTTP server before the API, with no problem body")
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<OrdersFacts> orders(@Valid @NotNull OrdersRequest request) {
        var ids = OrderIds.parse(request.orderIds());
        return correctness.facts(ids).map(facts -> new OrdersFacts(service, facts.stream().map(OrderFacts::of).toList()));
    }

    @GET
    @Path("invariants")
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "correctnessInvariants", summary = "This service's own invariants (for the correctness monitor): none",
            description = "notification-svc keeps no balance that could drift: the answer always has 0 subjects and no violations. "
                    + "It exists so the monitor treats every peer alike.")
    @APIResponse(responseCode = "200", description = "No subjects, no violations", content = @Content(schema = @Schema(implementation = Invariants.class)))
    public Uni<Invariants> invariants() {
        return Uni.createFrom().item(new Invariants(service, Instant.now(), 0, List.of()));
    }
}
