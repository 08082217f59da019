package dev.shop.notification.api;

import dev.shop.eventing.http.Identifiers;
import dev.shop.eventing.security.Caller;
import dev.shop.eventing.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import dev.shop.eventing.http.Problem;
import dev.shop.eventing.http.ProblemException;
import dev.shop.notification.domain.NotificationService;
import io.smallrye.mutiny.Uni;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "notifications", description = "What customers were told about their orders")
@APIResponse(responseCode = "401", description = "No valid bearer token: missing, expired, wrongly signed, or for another issuer or audience",
        headers = @Header(name = "WWW-Authenticate", description = "Bearer challenge (RFC 6750)", schema = @Schema(type = SchemaType.STRING)),
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "403", description = "The token is valid but its roles do not allow this operation",
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class NotificationResource {

    private final NotificationService notifications;
    private final Caller caller;

    public NotificationResource(NotificationService notifications, Caller caller) {
        this.notifications = notifications;
        this.caller = caller;
    }

    @GET
    @RolesAllowed({Roles.CUSTOMER, Roles.OPERATOR, Roles.ADMIN})
    @Operation(operationId = "listNotifications", summary = "List notifications, by order or customer (newest first)",
            description = "Customers see their own notifications only (customerId, if given, must be their own; "
                    + "another customer's order yields an empty list, exactly like an unknown one).")
    @APIResponse(responseCode = "200", description = "Notifications, newest first", content = @Content(schema = @Schema(implementation = NotificationView[].class)))
    @APIResponse(responseCode = "400", description = "Invalid orderId, customerId or limit", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<NotificationView>> list(@Parameter(description = "Only this order's notifications (a UUID)") @QueryParam("orderId") String orderId,
                                            @Parameter(description = "Only this customer's notifications (customers: only their own)") @QueryParam("customerId") @jakarta.validation.constraints.Size(max = 64) @jakarta.validation.constraints.Pattern(regexp = Identifiers.PATTERN, message = Identifiers.MESSAGE) String customerId,
                                            @Parameter(description = "At most this many") @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        UUID id = null;
        if (orderId != null && !orderId.isBlank()) {
            try {
                id = UUID.fromString(orderId);
            } catch (IllegalArgumentException e) {
                throw new ProblemException(400, "urn:shop:problem:validation", "Invalid request", "orderId: must be a UUID");
            }
        }
        var owner = caller.ownerScope();
        if (owner.isPresent() && customerId != null && !customerId.isBlank() && !owner.get().equals(customerId)) {
            return Uni.createFrom().item(List.of());
        }
        return notifications.find(id, owner.orElse(customerId == null || customerId.isBlank() ? null : customerId), limit).map(list -> list.stream().map(NotificationView::of).toList());
    }
}
