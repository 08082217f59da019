package dev.shop.order.ops;

import io.smallrye.mutiny.Uni;
import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import dev.shop.eventing.http.Problem;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1/ops/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class OpsResource {

    private final PeerDeadLetters deadLetters;

    public OpsResource(PeerDeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listAllDeadLetters",
            summary = "Pending dead letters of every service (a service that does not answer is reported unavailable)")
    @APIResponse(responseCode = "200", description = "One entry per service",
            content = @Content(schema = @Schema(implementation = PeerDeadLetters.ServiceDeadLetters[].class)))
    public Uni<List<PeerDeadLetters.ServiceDeadLetters>> all(@Context HttpHeaders headers) {
        // The peers check the operator's own token: order-svc holds no credential of its own for them.
        return deadLetters.all(headers.getHeaderString(HttpHeaders.AUTHORIZATION));
    }
}
