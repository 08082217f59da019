package dev.shop.eventing.ops;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Operator endpoints for this service's dead letters (admin-only once authentication exists; until
 * then keep /admin off public ingress). {@code X-Operator} names who acted, for the audit trail.
 */
@Path("/admin/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations", description = "Dead-letter queue operations")
public class DeadLetterResource {

    public record DiscardRequest(@NotBlank @Size(max = 1000) String reason) {
    }

    private final DeadLetterStore store;

    public DeadLetterResource(DeadLetterStore store) {
        this.store = store;
    }

    @GET
    @Operation(summary = "List dead letters with their failure reason, routing key, attempts and time (newest first)")
    public Uni<List<DeadLetter>> list(@QueryParam("status") @Pattern(regexp = "PENDING|REPLAYED|DISCARDED") String status,
                                      @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return store.list(Optional.ofNullable(status), limit);
    }

    @GET
    @Path("{id}")
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<DeadLetter> get(@PathParam("id") UUID id) {
        return store.get(id).map(dl -> {
            if (dl == null) {
                throw ProblemException.notFound("no dead letter " + id);
            }
            return dl;
        });
    }

    @POST
    @Path("{id}/replay")
    @Operation(summary = "Send the message back through this service's normal processing (once)")
    @APIResponse(responseCode = "409", description = "Already replayed or discarded",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Map<String, Object>> replay(@PathParam("id") UUID id, @HeaderParam("X-Operator") @DefaultValue("unknown") String actor) {
        return store.replay(id, actor).map(r -> outcome(id, r, "REPLAYED"));
    }

    @POST
    @Path("replay")
    @Operation(summary = "Replay every pending dead letter")
    public Uni<Map<String, Object>> replayAll(@HeaderParam("X-Operator") @DefaultValue("unknown") String actor) {
        return store.replayAll(actor).map(n -> Map.of("replayed", n));
    }

    @POST
    @Path("{id}/discard")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Discard a dead letter, recording why")
    public Uni<Map<String, Object>> discard(@PathParam("id") UUID id, @jakarta.validation.Valid @jakarta.validation.constraints.NotNull DiscardRequest request,
                                            @HeaderParam("X-Operator") @DefaultValue("unknown") String actor) {
        return store.discard(id, request.reason(), actor).map(r -> outcome(id, r, "DISCARDED"));
    }

    private static Map<String, Object> outcome(UUID id, DeadLetterStore.Result result, String status) {
        return switch (result) {
            case DONE -> Map.of("id", id, "status", status);
            case NOT_FOUND -> throw ProblemException.notFound("no dead letter " + id);
            case ALREADY_RESOLVED -> throw new ProblemException(409, "urn:shop:problem:dead-letter-resolved", "Already resolved",
                    "dead letter " + id + " was already replayed or discarded");
        };
    }
}
