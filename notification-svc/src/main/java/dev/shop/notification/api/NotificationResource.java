package dev.shop.notification.api;

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
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;
import java.util.UUID;

@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "notifications")
public class NotificationResource {

    private final NotificationService notifications;

    public NotificationResource(NotificationService notifications) {
        this.notifications = notifications;
    }

    @GET
    @Operation(summary = "List notifications, by order or customer (newest first)")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = NotificationView[].class)))
    @APIResponse(responseCode = "400", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<List<NotificationView>> list(@QueryParam("orderId") String orderId,
                                            @QueryParam("customerId") String customerId,
                                            @QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        UUID id = null;
        if (orderId != null && !orderId.isBlank()) {
            try {
                id = UUID.fromString(orderId);
            } catch (IllegalArgumentException e) {
                throw new ProblemException(400, "urn:shop:problem:validation", "Invalid request", "orderId: must be a UUID");
            }
        }
        return notifications.find(id, customerId, limit).map(list -> list.stream().map(NotificationView::of).toList());
    }
}
