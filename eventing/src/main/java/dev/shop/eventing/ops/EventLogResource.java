package dev.shop.eventing.ops;

import dev.shop.eventing.EventLog;
import dev.shop.eventing.http.Identifiers;
import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.eventing.security.Audit;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
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

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * This service's event log (published outbox rows, kept for a retention window): operators read it,
 * admins republish a slice of it after a consumer was restored to an earlier point.
 */
@Path("/admin/event-log")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class EventLogResource {

    /** What to republish: events written in {@code [since, until)}, optionally only about some orders or of some types. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record RepublishRequest(
            @NotNull @Schema(description = "Republish events written at or after this time (RFC 3339); not older than the inbox retention") OffsetDateTime since,
            @Schema(description = "Up to (excluding) this time; default now") OffsetDateTime until,
            @Size(max = 10_000) @Schema(description = "Only events about these orders") List<@NotNull @Pattern(regexp = Identifiers.UUID_PATTERN, message = Identifiers.UUID_MESSAGE) String> orderIds,
            @Size(max = 50) @Schema(description = "Only events of these types, e.g. order.placed") List<@NotNull @Pattern(regexp = "[a-z]+(\\.[a-z]+)+", message = "must be an event type such as order.placed") String> types) {
    }

    private final EventLog log;
    private final Caller caller;

    public EventLogResource(EventLog log, Caller caller) {
        this.log = log;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listLoggedEvents", summary = "Events this service wrote, newest first (published ones are kept for the retention window)")
    @APIResponse(responseCode = "200", description = "Logged events, newest first",
            content = @Content(schema = @Schema(implementation = EventLog.LoggedEvent[].class)))
    @APIResponse(responseCode = "400", description = "Invalid order id or limit",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<EventLog.LoggedEvent>> list(
            @Parameter(description = "Only events about this order") @QueryParam("orderId") @Pattern(regexp = Identifiers.UUID_PATTERN, message = Identifiers.UUID_MESSAGE) String orderId,
            @Parameter(description = "At most this many") @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return log.list(orderId, limit);
    }

    @POST
    @Path("republish")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "republishLoggedEvents",
            summary = "Publish logged events again, with their original ids (repair after a consumer was restored to an earlier point)")
    @APIResponse(responseCode = "200", description = "How many events were queued for publishing",
            content = @Content(schema = @Schema(implementation = EventLog.Republished.class)))
    @APIResponse(responseCode = "400", description = "since missing, in the future, after until, or older than the inbox retention",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB; refused by the HTTP server before the API, with no problem body")
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<EventLog.Republished> republish(@Valid @NotNull RepublishRequest request) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime until = request.until() == null ? now : request.until();
        if (request.since().isAfter(now)) {
            throw ProblemException.invalidField("since", "must not be in the future");
        }
        if (!request.since().isBefore(until)) {
            throw ProblemException.invalidField("since", "must be before until");
        }
        if (request.since().isBefore(log.oldestRepublishable())) {
            throw ProblemException.invalidField("since", "must not be older than " + log.oldestRepublishable()
                    + ": consumers' inboxes no longer remember older events, so they would apply them twice");
        }
        String actor = caller.subject();
        return log.republish(request.since(), until, request.orderIds(), request.types())
                .invoke(r -> Audit.record(actor, "event-log.republish", request.since() + ".." + until,
                        r.republished() + " events" + (request.orderIds() == null ? "" : " of " + request.orderIds().size() + " orders")
                                + (request.types() == null ? "" : " types " + request.types())));
    }
}
