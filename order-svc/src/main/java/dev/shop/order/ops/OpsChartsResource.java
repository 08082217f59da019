package dev.shop.order.ops;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.eventing.security.Roles;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** The ops page's charts: named server-side Prometheus queries (the browser never sends PromQL). */
@Path("/api/v1/ops/charts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class OpsChartsResource {

    /** A chart the page can ask for. */
    @RegisterForReflection
    public record ChartInfo(String name, String title, String unit) {
    }

    private final OpsPrometheus prometheus;

    public OpsChartsResource(OpsPrometheus prometheus) {
        this.prometheus = prometheus;
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listOpsCharts", summary = "The charts of the ops page, in page order (listed whether or not Prometheus is configured)")
    @APIResponse(responseCode = "200", description = "The chart catalogue",
            content = @Content(schema = @Schema(implementation = ChartInfo[].class)))
    public List<ChartInfo> list() {
        return OpsCharts.CHARTS.stream().map(c -> new ChartInfo(c.name(), c.title(), c.unit())).toList();
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getOpsChart", summary = "One chart's series over the last minutes, from Prometheus (query_range of a fixed, named query)")
    @APIResponse(responseCode = "200", description = "The series, aligned on one time axis (null where Prometheus has no sample)",
            content = @Content(schema = @Schema(implementation = OpsCharts.ChartData.class)))
    @APIResponse(responseCode = "400", description = "minutes out of range",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No chart of that name",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Prometheus not configured (shop.ops.prometheus-url) or not answering",
            headers = @Header(name = "Retry-After", description = "Seconds to wait", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<OpsCharts.ChartData> chart(@Parameter(description = "A name from the chart list") @PathParam("name") String name,
                                          @Parameter(description = "How far back, in minutes (1 to 360)") @QueryParam("minutes") @DefaultValue("15") int minutes) {
        if (minutes < 1 || minutes > 360) {
            throw ProblemException.invalidField("minutes", "must be between 1 and 360");
        }
        OpsCharts.Chart chart = OpsCharts.named(name).orElseThrow(() -> ProblemException.notFound("no chart " + name));
        return prometheus.chart(chart, minutes);
    }
}
