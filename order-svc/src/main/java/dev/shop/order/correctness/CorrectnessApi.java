package dev.shop.order.correctness;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** A peer's read-only correctness endpoints (inventory-svc, billing-svc, notification-svc), as a REST client built per peer. */
@Path("/api/v1/admin/correctness")
public interface CorrectnessApi {

    /** Body {@code {"orderIds":[...]}} (at most 500); answers {@code {"service":..., "orders":[facts]}} for the ids the peer knows. */
    @POST
    @Path("orders")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<JsonNode> orders(Map<String, Object> body, @HeaderParam("Authorization") String authorization);

    /** {@code {"service":..., "subjectsChecked":n, "violations":[{"invariant","subject","detail"}]}}: the peer's own invariants. */
    @GET
    @Path("invariants")
    Uni<JsonNode> invariants(@HeaderParam("Authorization") String authorization);
}
