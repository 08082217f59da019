package dev.shop.order.ops;

import dev.shop.eventing.ops.DeadLetter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import java.util.List;

/** The peers' /admin/dead-letters endpoint, as a REST client built per peer. */
@Path("/admin/dead-letters")
public interface DeadLetterApi {

    @GET
    Uni<List<DeadLetter>> list(@QueryParam("status") String status, @QueryParam("limit") int limit,
                               @HeaderParam("Authorization") String authorization);
}
