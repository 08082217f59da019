package dev.shop.eventing.ops;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import io.smallrye.mutiny.Uni;
import dev.shop.eventing.security.Audit;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
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
import java.util.Optional;
import java.util.UUID;

/**
 * Operator endpoints for this service's dead letters: operators read, admins replay and discard.
 * Every change is audit-logged with the token's subject (and stored on the dead letter as who resolved it).
 */
@Path("/admin/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Operator and admin endpoints: dead letters and other operational views")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class DeadLetterResource {

    public record DiscardRequest(@NotBlank @Size(max = 1000)
                                 @Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters") String reason) {
    }

    private final DeadLetterStore store;
    private final Caller caller;

    public DeadLetterResource(DeadLetterStore store, Caller caller) {
        this.store = store;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listDeadLetters", summary = "List dead letters with their failure reason, routing key, attempts and time (newest first)")
    @APIResponse(responseCode = "200", description = "Dead letters, newest first",
            content = @Content(schema = @Schema(implementation = DeadLetter[].class)))
    @APIResponse(responseCode = "400", description = "Invalid status or limit",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<DeadLetter>> list(@Parameter(description = "Only dead letters in this status: PENDING, REPLAYED or DISCARDED") @QueryParam("status") @Pattern(regexp = "PENDING|REPLAYED|DISCARDED") String status,
                                      @Parameter(description = "At most this many") @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return store.list(Optional.ofNullable(status), limit);
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getDeadLetter", summary = "One dead letter with its message body and failure reason")
    @APIResponse(responseCode = "200", description = "The dead letter", content = @Content(schema = @Schema(implementation = DeadLetter.class)))
    @APIResponse(responseCode = "404", description = "No such dead letter", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<DeadLetter> get(@Parameter(description = "The dead letter's id") @PathParam("id") UUID id) {
        return store.get(id).map(dl -> {
            if (dl == null) {
                throw ProblemException.notFound("no dead letter " + id);
            }
            return dl;
        });
    }

    @POST
    @Path("{id}/replay")
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "replayDeadLetter", summary = "Send the message back through this service's normal processing (once)")
    @APIResponse(responseCode = "200", description = "Replayed", content = @Content(schema = @Schema(implementation = Resolution.class)))
    @APIResponse(responseCode = "404", description = "No such dead letter",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Already replayed or discarded",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Resolution> replay(@Parameter(description = "The dead letter's id") @PathParam("id") UUID id) {
        String actor = caller.subject();
        return store.replay(id, actor).map(r -> outcome(id, r, "REPLAYED"))
                .invoke(() -> Audit.record(actor, "dead-letter.replay", id.toString(), null));
    }

    @POST
    @Path("replay")
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "replayAllDeadLetters", summary = "Replay every pending dead letter")
    @APIResponse(responseCode = "200", description = "How many were replayed", content = @Content(schema = @Schema(implementation = ReplayCount.class)))
    public Uni<ReplayCount> replayAll() {
        String actor = caller.subject();
        return store.replayAll(actor).map(ReplayCount::new)
                .invoke(n -> Audit.record(actor, "dead-letter.replay-all", "*", n.replayed() + " replayed"));
    }

    @POST
    @Path("{id}/discard")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "discardDeadLetter", summary = "Discard a dead letter, recording why")
    @APIResponse(responseCode = "200", description = "Discarded", content = @Content(schema = @Schema(implementation = Resolution.class)))
    @APIResponse(responseCode = "400", description = "No reason given",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB; refused by the HTTP server before the API, with no problem body")
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such dead letter",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "Already replayed or discarded",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Resolution> discard(@Parameter(description = "The dead letter's id") @PathParam("id") UUID id, @jakarta.validation.Valid @jakarta.validation.constraints.NotNull DiscardRequest request) {
        String actor = caller.subject();
        return store.discard(id, request.reason(), actor).map(r -> outcome(id, r, "DISCARDED"))
                .invoke(() -> Audit.record(actor, "dead-letter.discard", id.toString(), request.reason()));
    }

    @io.quarkus.runtime.annotations.RegisterForReflection
    public record Resolution(UUID id, String status) {
    }

    @io.quarkus.runtime.annotations.RegisterForReflection
    public record ReplayCount(int replayed) {
    }

    private static Resolution outcome(UUID id, DeadLetterStore.Result result, String status) {
        return switch (result) {
            case DONE -> new Resolution(id, status);
            case NOT_FOUND -> throw ProblemException.notFound("no dead letter " + id);
            case ALREADY_RESOLVED -> throw new ProblemException(409, "urn:shop:problem:dead-letter-resolved", "Already resolved",
                    "dead letter " + id + " was already replayed or discarded");
        };
    }
}
