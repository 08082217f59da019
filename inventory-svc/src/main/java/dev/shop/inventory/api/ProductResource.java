package dev.shop.inventory.api;

import dev.shop.eventing.http.Identifiers;
import dev.shop.eventing.security.Audit;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/products")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "products", description = "The catalogue: products, prices and stock")
public class ProductResource {

    private final InventoryService inventory;
    private final Caller caller;

    public ProductResource(InventoryService inventory, Caller caller) {
        this.inventory = inventory;
        this.caller = caller;
    }

    @PUT
    @Path("{sku}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "putProduct", summary = "Create or replace a product and its available stock (admin; audited)")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = ProductView.class)))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(schema = @Schema(implementation = ProductView.class)))
    @APIResponse(responseCode = "400", description = "Invalid SKU or body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
            headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "The token is valid but not an admin's",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB; refused by the HTTP server before the API, with no problem body")
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> put(@Parameter(description = "Stock-keeping unit: letters, digits, '.', '_' or '-'") @PathParam("sku") @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN) String sku,
                             @Valid @NotNull ProductRequest request) {
        String actor = caller.subject();
        return inventory.upsert(sku, request.name(), request.price(), request.available())
                .invoke(created -> Audit.record(actor, created ? "product.create" : "product.replace", sku,
                        "available=" + request.available() + " price=" + request.price()))
                .flatMap(created -> inventory.find(sku).map(p -> Response
                        .status(created ? Response.Status.CREATED : Response.Status.OK)
                        .entity(ProductView.of(p)).build()));
    }

    @GET
    @Path("{sku}")
    @PermitAll
    @Operation(operationId = "getProduct", summary = "Get a product with its available and reserved stock (public)",
            description = "Needs no token. Authentication is not proactive, so a token sent here is not checked either: "
                    + "an expired or foreign token is ignored, not refused.")
    @SecurityRequirements
    @APIResponse(responseCode = "200", description = "The product", content = @Content(schema = @Schema(implementation = ProductView.class)))
    @APIResponse(responseCode = "400", description = "Not a valid SKU", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such product", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<ProductView> get(@Parameter(description = "Stock-keeping unit") @PathParam("sku") @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN, message = Identifiers.MESSAGE) String sku) {
        return inventory.find(sku).map(p -> {
            if (p == null) {
                throw ProblemException.notFound("no product " + sku);
            }
            return ProductView.of(p);
        });
    }
}
