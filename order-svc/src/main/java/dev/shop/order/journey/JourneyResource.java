package dev.shop.order.journey;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.order.domain.OrderService;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

@Path("/api/v1/orders/{id}/journey")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "orders", description = "Placing orders and following them through the saga")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class JourneyResource {

    @RegisterForReflection
    public record Journey(UUID orderId, String status, String cancellationReason, List<JourneyProjection.Step> steps) {
    }

    private final OrderService orders;
    private final JourneyProjection journey;

    public JourneyResource(OrderService orders, JourneyProjection journey) {
        this.orders = orders;
        this.journey = journey;
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getOrderJourney", summary = "The order's saga timeline across all services (type, service, time, outcome, trace id)")
    @APIResponse(responseCode = "200", description = "The journey", content = @Content(schema = @Schema(implementation = Journey.class)))
    @APIResponse(responseCode = "404", description = "No such order", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Journey> get(@Parameter(description = "The order's id (a UUID)") @PathParam("id") String id) {
        UUID orderId;
        try {
            orderId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no order " + id);
        }
        return orders.find(orderId).flatMap(order -> {
            if (order == null) {
                throw ProblemException.notFound("no order " + id);
            }
            return journey.of(orderId).map(steps -> new Journey(orderId, order.status.name(),
                    order.cancellationReason == null ? null : order.cancellationReason.name(),
                    steps));
        });
    }
}
