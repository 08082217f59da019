package dev.shop.order.api;

import dev.shop.eventing.http.Identifiers;
import dev.shop.eventing.http.OutboundUrlPolicy;
import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import dev.shop.order.domain.Admission;
import dev.shop.order.domain.OrderLine;
import dev.shop.order.domain.OrderRepository;
import dev.shop.order.domain.OrderService;
import dev.shop.order.domain.OrderStatus;
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
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

@Path("/api/v1/orders")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "orders", description = "Placing orders and following them through the saga")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class OrderResource {

    private static final java.util.regex.Pattern CUSTOMER_ID = java.util.regex.Pattern.compile("^[A-Za-z0-9._-]{1,64}$");

    private final OrderService orders;
    private final Admission admission;
    private final PlacementRateLimit rateLimit;
    private final Caller caller;
    private final boolean allowPrivateCallbacks;

    public OrderResource(OrderService orders, Admission admission, PlacementRateLimit rateLimit, Caller caller,
                         @ConfigProperty(name = "shop.callbacks.allow-private", defaultValue = "false") boolean allowPrivateCallbacks) {
        this.orders = orders;
        this.admission = admission;
        this.rateLimit = rateLimit;
        this.caller = caller;
        this.allowPrivateCallbacks = allowPrivateCallbacks;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.CUSTOMER)
    @Operation(operationId = "placeOrder", summary = "Place an order (asynchronous)",
            description = "Accepts the order for the calling customer (the token's subject) and starts the saga. "
                    + "Poll the Location until status is CONFIRMED or CANCELLED.")
    @APIResponse(responseCode = "202", description = "Accepted; the saga runs in the background (an Idempotency-Key repeat returns the same order)",
            headers = {@Header(name = "Location", description = "/api/v1/orders/{id}", schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Retry-After", description = "seconds to wait before the first poll", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "RateLimit-Limit", description = "placements allowed in a burst", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "RateLimit-Remaining", description = "placements left in the current burst", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "RateLimit-Reset", description = "seconds until the burst is full again", schema = @Schema(type = SchemaType.INTEGER))},
            content = @Content(schema = @Schema(implementation = OrderView.class)))
    @APIResponse(responseCode = "400", description = "Invalid request; the problem names the field",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "customerId names someone other than the caller, or the caller is not a customer",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB; refused by the HTTP server before the API, with no problem body")
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "Idempotency-Key reused with a different request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "The caller placed too many orders too fast; nothing was placed",
            headers = {@Header(name = "Retry-After", description = "seconds", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "RateLimit-Limit", description = "placements allowed in a burst", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "RateLimit-Remaining", description = "0", schema = @Schema(type = SchemaType.INTEGER)),
                    @Header(name = "RateLimit-Reset", description = "seconds until a placement is allowed again", schema = @Schema(type = SchemaType.INTEGER))},
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Too many orders in progress (load shedding); nothing was placed, retry after Retry-After seconds",
            headers = @Header(name = "Retry-After", description = "seconds", schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> place(
            @Valid @NotNull PlaceOrderRequest request,
            @Parameter(description = "Repeat a request safely: the same key and body return the same order",
                    schema = @Schema(type = SchemaType.STRING, maxLength = 200))
            @HeaderParam("Idempotency-Key") @Size(max = 200) String idempotencyKey) {
        String customer = caller.subject();
        if (request.customerId() != null && !request.customerId().equals(customer)) {
            throw ProblemException.forbidden("customerId must be the caller's own id (the token's subject) or omitted");
        }
        if (!CUSTOMER_ID.matcher(customer).matches()) {
            throw ProblemException.forbidden("the token's subject cannot be used as a customer id (1-64 letters, digits, '.', '_' or '-')");
        }
        if (request.callbackUrl() != null) {
            OutboundUrlPolicy.refusal(request.callbackUrl(), allowPrivateCallbacks).ifPresent(why -> {
                throw ProblemException.invalidField("callbackUrl", why);
            });
        }
        PlacementRateLimit.Budget budget = rateLimit.take(customer);
        admission.check();
        var lines = request.items().stream().map(l -> new OrderLine(l.sku(), l.quantity())).toList();
        return orders.place(customer, lines, request.callbackUrl(), blankToNull(idempotencyKey))
                .map(placement -> {
                    Response.ResponseBuilder response = Response.accepted(OrderView.of(placement.order()))
                            .header("Location", "/api/v1/orders/" + placement.order().id)
                            .header("Retry-After", "1");
                    if (budget != null) {
                        response.header("RateLimit-Limit", budget.limit()).header("RateLimit-Remaining", budget.remaining())
                                .header("RateLimit-Reset", budget.resetSeconds());
                    }
                    return response.build();
                });
    }

    @GET
    @Path("{id}")
    @RolesAllowed({Roles.CUSTOMER, Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getOrder", summary = "Get an order and its saga status",
            description = "Customers see their own orders only; another customer's order is 404, exactly like a missing one.")
    @APIResponse(responseCode = "200", description = "The order", content = @Content(schema = @Schema(implementation = OrderView.class)))
    @APIResponse(responseCode = "404", description = "No such order (or not the caller's)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<OrderView> get(@Parameter(description = "The order's id (a UUID)") @PathParam("id") String id) {
        UUID orderId = parse(id);
        return orders.findVisible(orderId, caller.ownerScope()).map(order -> {
            if (order == null) {
                throw ProblemException.notFound("no order " + id);
            }
            return OrderView.of(order);
        });
    }

    @GET
    @RolesAllowed({Roles.CUSTOMER, Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listOrders", summary = "List orders, newest first (keyset pagination)",
            description = "Customers list their own orders; operators and admins list everyone's, optionally one customer's.")
    @APIResponse(responseCode = "200", description = "A page of orders", content = @Content(schema = @Schema(implementation = OrderPage.class)))
    @APIResponse(responseCode = "400", description = "Invalid status, limit or cursor",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<OrderPage> list(
            @Parameter(description = "Only orders in this status") @QueryParam("status") @Pattern(regexp = "PENDING|CONFIRMED|CANCELLED") String status,
            @Parameter(description = "Only this customer's orders (staff only; customers always see their own)")
            @QueryParam("customerId") @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN, message = Identifiers.MESSAGE) String customerId,
            @Parameter(description = "Page size") @QueryParam("limit") @DefaultValue("20") @Min(1) @Max(100) int limit,
            @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") @Size(max = 200) String cursor) {
        Optional<String> owner = caller.ownerScope().or(() -> Optional.ofNullable(blankToNull(customerId)));
        return orders.page(owner, Optional.ofNullable(status).map(OrderStatus::valueOf), Optional.ofNullable(blankToNull(cursor)).map(OrderResource::decode),
                        limit + 1)
                .map(found -> {
                    boolean more = found.size() > limit;
                    var items = found.stream().limit(limit).map(OrderView::of).toList();
                    return new OrderPage(items, more ? encode(items.get(items.size() - 1)) : null);
                });
    }

    /** Cursor = base64url("epochMicros:uuid") of the last order on the page; opaque to clients. */
    static String encode(OrderView last) {
        long micros = last.createdAt().getEpochSecond() * 1_000_000L + last.createdAt().getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding().encodeToString((micros + ":" + last.id()).getBytes(StandardCharsets.UTF_8));
    }

    static OrderRepository.Cursor decode(String cursor) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split(":", 2);
            long micros = Long.parseLong(parts[0]);
            return new OrderRepository.Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L),
                    UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw ProblemException.invalidField("cursor", "not a cursor this API returned");
        }
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
