package dev.shop.order.correctness;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.eventing.security.Audit;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
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

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** What the correctness monitor found: counts per invariant and the offending orders, SKUs and accounts. */
@Path("/api/v1/ops/correctness")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class CorrectnessResource {

    @RegisterForReflection
    public record ViolationView(String invariant, String subject, String detail, OffsetDateTime firstSeen, OffsetDateTime lastSeen) {
    }

    @RegisterForReflection
    public record Report(@Schema(description = "When a run last completed (null: not yet)") OffsetDateTime lastRun,
                         @Schema(description = "Subjects breaking each invariant") Map<String, Long> counts,
                         @Schema(description = "The violations, newest first") List<ViolationView> violations) {
    }

    private final CorrectnessMonitor monitor;
    private final Caller caller;

    public CorrectnessResource(CorrectnessMonitor monitor, Caller caller) {
        this.monitor = monitor;
        this.caller = caller;
    }

    @POST
    @Path("runs")
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "runCorrectnessCheck", summary = "Run the correctness monitor now (e.g. after a repair) and return its findings")
    @APIResponse(responseCode = "200", description = "The run completed; its findings", content = @Content(schema = @Schema(implementation = Report.class)))
    @APIResponse(responseCode = "409", description = "Another instance is running the monitor right now; retry shortly",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Report> runNow() {
        String actor = caller.subject();
        // A scheduled run (here or on another instance) holds the lock for about a second: wait for it a
        // little before telling the caller to come back.
        return monitor.run(true)
                .invoke(ran -> {
                    if (!ran) {
                        throw new ProblemException(409, "urn:shop:problem:correctness-busy", "Monitor busy",
                                "another instance holds the correctness monitor's lock; retry shortly");
                    }
                })
                .onFailure(ProblemException.class).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(1)).atMost(8)
                .flatMap(ran -> {
                    Audit.record(actor, "correctness.run", "*", null);
                    return report(200);
                });
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getCorrectnessReport",
            summary = "Invariants broken across the services' data, per the correctness monitor (docs/operations.md)")
    @APIResponse(responseCode = "200", description = "The monitor's current findings", content = @Content(schema = @Schema(implementation = Report.class)))
    @APIResponse(responseCode = "400", description = "Invalid limit",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Report> report(@Parameter(description = "At most this many violations") @QueryParam("limit") @DefaultValue("200") @Min(1) @Max(5000) int limit) {
        return monitor.current(limit).map(rows -> new Report(monitor.lastRunAt(), monitor.counts(), rows));
    }
}
