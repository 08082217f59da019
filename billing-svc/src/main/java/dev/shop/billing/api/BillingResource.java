package dev.shop.billing.api;

import dev.shop.eventing.http.Identifiers;
import dev.shop.eventing.security.Audit;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.shop.billing.api.Views.AccountView;
import dev.shop.billing.api.Views.PaymentView;
import dev.shop.billing.domain.BillingService;
import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class BillingResource {

    private final BillingService billing;
    private final Caller caller;

    public BillingResource(BillingService billing, Caller caller) {
        this.billing = billing;
        this.caller = caller;
    }

    @PUT
    @Path("accounts/{customerId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Tag(name = "accounts", description = "Customers' credit accounts")
    @RolesAllowed(Roles.ADMIN)
    @Operation(operationId = "putAccount", summary = "Create an account or replace its remaining credit (admin; audited)")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = AccountView.class)))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(schema = @Schema(implementation = AccountView.class)))
    @APIResponse(responseCode = "400", description = "Invalid customer id or body", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "403", description = "The token is valid but not an admin's",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "The body is larger than 64 KiB; refused by the HTTP server before the API, with no problem body")
    @APIResponse(responseCode = "415", description = "The body is not application/json",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> putAccount(@Parameter(description = "The customer (a token subject): letters, digits, '.', '_' or '-'") @PathParam("customerId") @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN) String customerId,
                                    @Valid @NotNull AccountRequest request) {
        String actor = caller.subject();
        return billing.setCredit(customerId, request.credit())
                .invoke(created -> Audit.record(actor, created ? "account.create" : "account.set-credit", customerId,
                        "credit=" + request.credit()))
                .map(created -> Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                        .entity(new AccountView(customerId, request.credit())).build());
    }

    @GET
    @Path("accounts/{customerId}")
    @Tag(name = "accounts", description = "Customers' credit accounts")
    @RolesAllowed({Roles.CUSTOMER, Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getAccount", summary = "Get an account's remaining credit",
            description = "Customers read their own account only; another's is 404, exactly like a missing one.")
    @APIResponse(responseCode = "200", description = "The account", content = @Content(schema = @Schema(implementation = AccountView.class)))
    @APIResponse(responseCode = "400", description = "Not a valid customer id", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "No such account (or not the caller's)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<AccountView> getAccount(@Parameter(description = "The customer (a token subject)") @PathParam("customerId") @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN, message = Identifiers.MESSAGE) String customerId) {
        if (caller.ownerScope().filter(owner -> !owner.equals(customerId)).isPresent()) {
            throw ProblemException.notFound("no account " + customerId);
        }
        return billing.account(customerId).map(a -> {
            if (a == null) {
                throw ProblemException.notFound("no account " + customerId);
            }
            return AccountView.of(a);
        });
    }

    @GET
    @Path("payments/{orderId}")
    @Tag(name = "payments", description = "What billing decided for each order")
    @RolesAllowed({Roles.CUSTOMER, Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "getPayment", summary = "Get the payment of an order",
            description = "404 until billing has decided on the order. Customers see payments of their own orders only.")
    @APIResponse(responseCode = "200", description = "The payment", content = @Content(schema = @Schema(implementation = PaymentView.class)))
    @APIResponse(responseCode = "404", description = "No payment for this order (yet, or not the caller's)", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PaymentView> getPayment(@Parameter(description = "The order's id (a UUID)") @PathParam("orderId") String orderId) {
        UUID id;
        try {
            id = UUID.fromString(orderId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no payment for order " + orderId);
        }
        return billing.payment(id, caller.ownerScope()).map(p -> {
            if (p == null) {
                throw ProblemException.notFound("no payment for order " + orderId);
            }
            return PaymentView.of(p);
        });
    }
}
