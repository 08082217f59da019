package dev.shop.order.api;

import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.OutboundUrlPolicy;
import dev.shop.eventing.http.ProblemException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import dev.shop.order.domain.Admission;
import dev.shop.order.domain.OrderLine;
import dev.shop.order.domain.OrderService;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

@Path("/api/v1/orders")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "orders")
public class OrderResource {

    private final OrderService orders;
    private final Admission admission;
    private final boolean allowPrivateCallbacks;

    public OrderResource(OrderService orders, Admission admission,
                         @ConfigProperty(name = "shop.callbacks.allow-private", defaultValue = "false") boolean allowPrivateCallbacks) {
        this.orders = orders;
        this.admission = admission;
        this.allowPrivateCallbacks = allowPrivateCallbacks;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Place an order (asynchronous)",
            description = "Accepts the order and starts the saga. Poll the Location until status is CONFIRMED or CANCELLED.")
    @APIResponse(responseCode = "202", description = "Accepted; the saga runs in the background",
            headers = @Header(name = "Location", description = "/api/v1/orders/{id}"),
            content = @Content(schema = @Schema(implementation = OrderView.class)))
    @APIResponse(responseCode = "400", description = "Invalid request; the problem names the field",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused with a different request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Too many orders in progress (load shedding); nothing was placed, retry after Retry-After seconds",
            headers = @Header(name = "Retry-After", description = "seconds"),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> place(
            @Valid @NotNull PlaceOrderRequest request,
            @Parameter(description = "Repeat a request safely: the same key and body return the same order",
                    schema = @Schema(type = SchemaType.STRING, maxLength = 200))
            @HeaderParam("Idempotency-Key") @Size(max = 200) String idempotencyKey) {
        if (request.callbackUrl() != null) {
            OutboundUrlPolicy.refusal(request.callbackUrl(), allowPrivateCallbacks).ifPresent(why -> {
                throw ProblemException.invalidField("callbackUrl", why);
            });
        }
        admission.check();
        var lines = request.items().stream().map(l -> new OrderLine(l.sku(), l.quantity())).toList();
        return orders.place(request.customerId(), lines, request.callbackUrl(), blankToNull(idempotencyKey))
                .map(placement -> Response.accepted(OrderView.of(placement.order()))
                        .header("Location", "/api/v1/orders/" + placement.order().id)
                        .header("Retry-After", "1")
                        .build());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get an order and its saga status")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = OrderView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<OrderView> get(@PathParam("id") String id) {
        UUID orderId = parse(id);
        return orders.find(orderId).map(order -> {
            if (order == null) {
                throw ProblemException.notFound("no order " + id);
            }
            return OrderView.of(order);
        });
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no order " + id);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
