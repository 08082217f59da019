package dev.shop.inventory.api;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.inventory.domain.InventoryService;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/products")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "products")
public class ProductResource {

    private final InventoryService inventory;

    public ProductResource(InventoryService inventory) {
        this.inventory = inventory;
    }

    @PUT
    @Path("{sku}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create or replace a product and its available stock")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ProductView.class)))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(schema = @Schema(implementation = ProductView.class)))
    @APIResponse(responseCode = "400", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> put(@PathParam("sku") @Size(max = 64) @Pattern(regexp = "^[A-Za-z0-9._-]+$") String sku,
                             @Valid @NotNull ProductRequest request) {
        return inventory.upsert(sku, request.name(), request.price(), request.available())
                .flatMap(created -> inventory.find(sku).map(p -> Response
                        .status(created ? Response.Status.CREATED : Response.Status.OK)
                        .entity(ProductView.of(p)).build()));
    }

    @GET
    @Path("{sku}")
    @Operation(summary = "Get a product with its available and reserved stock")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = ProductView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ProductView> get(@PathParam("sku") String sku) {
        return inventory.find(sku).map(p -> {
            if (p == null) {
                throw ProblemException.notFound("no product " + sku);
            }
            return ProductView.of(p);
        });
    }
}
