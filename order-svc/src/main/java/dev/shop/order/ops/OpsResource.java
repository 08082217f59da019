package dev.shop.order.ops;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1/ops/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "operations")
public class OpsResource {

    private final PeerDeadLetters deadLetters;

    public OpsResource(PeerDeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    @Operation(summary = "Pending dead letters of every service (a service that does not answer is reported unavailable)")
    public Uni<List<PeerDeadLetters.ServiceDeadLetters>> all() {
        return deadLetters.all();
    }
}
