package dev.shop.billing.api;

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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.UUID;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class BillingResource {

    private final BillingService billing;

    public BillingResource(BillingService billing) {
        this.billing = billing;
    }

    @PUT
    @Path("accounts/{customerId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Tag(name = "accounts")
    @Operation(summary = "Create an account or replace its remaining credit")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = AccountView.class)))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(schema = @Schema(implementation = AccountView.class)))
    @APIResponse(responseCode = "400", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> putAccount(@PathParam("customerId") @Size(max = 64) @Pattern(regexp = "^[A-Za-z0-9._-]+$") String customerId,
                                    @Valid @NotNull AccountRequest request) {
        return billing.setCredit(customerId, request.credit())
                .map(created -> Response.status(created ? Response.Status.CREATED : Response.Status.OK)
                        .entity(new AccountView(customerId, request.credit())).build());
    }

    @GET
    @Path("accounts/{customerId}")
    @Tag(name = "accounts")
    @Operation(summary = "Get an account's remaining credit")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = AccountView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<AccountView> getAccount(@PathParam("customerId") String customerId) {
        return billing.account(customerId).map(a -> {
            if (a == null) {
                throw ProblemException.notFound("no account " + customerId);
            }
            return AccountView.of(a);
        });
    }

    @GET
    @Path("payments/{orderId}")
    @Tag(name = "payments")
    @Operation(summary = "Get the payment of an order", description = "404 until billing has decided on the order")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = PaymentView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<PaymentView> getPayment(@PathParam("orderId") String orderId) {
        UUID id;
        try {
            id = UUID.fromString(orderId);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no payment for order " + orderId);
        }
        return billing.payment(id).map(p -> {
            if (p == null) {
                throw ProblemException.notFound("no payment for order " + orderId);
            }
            return PaymentView.of(p);
        });
    }
}
