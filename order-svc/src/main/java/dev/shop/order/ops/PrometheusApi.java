package dev.shop.order.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

/** The two read-only calls of Prometheus's HTTP API the ops page needs, as a REST client built from config. */
@Path("/api/v1")
public interface PrometheusApi {

    @GET
    @Path("/query_range")
    Uni<JsonNode> queryRange(@QueryParam("query") String query, @QueryParam("start") long start,
                             @QueryParam("end") long end, @QueryParam("step") long step);

    @GET
    @Path("/alerts")
    Uni<JsonNode> alerts();
}
