package dev.shop.order.ops;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The alerts Prometheus evaluates as firing or pending now (its /api/v1/alerts, the authority). */
@Path("/api/v1/ops/alerts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class OpsAlertsResource {

    private final OpsPrometheus prometheus;

    public OpsAlertsResource(OpsPrometheus prometheus) {
        this.prometheus = prometheus;
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listOpsAlerts", summary = "Alerts firing or pending in Prometheus, firing first")
    @APIResponse(responseCode = "200", description = "The alerts (empty when none)",
            content = @Content(schema = @Schema(implementation = OpsPrometheus.Alert[].class)))
    @APIResponse(responseCode = "503", description = "Prometheus not configured (shop.ops.prometheus-url) or not answering",
            headers = @Header(name = "Retry-After", description = "Seconds to wait", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<OpsPrometheus.Alert>> alerts() {
        return prometheus.alerts();
    }
}
