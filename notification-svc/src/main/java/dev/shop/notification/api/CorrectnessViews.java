package dev.shop.notification.api;

import dev.shop.notification.domain.NotificationCorrectness;
import dev.shop.notification.domain.NotificationType;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and answers of the correctness endpoints (the shapes order-svc's monitor reads). */
public final class CorrectnessViews {

    private CorrectnessViews() {
    }

    @RegisterForReflection
    public record OrdersRequest(
            @Schema(description = "Order ids (UUIDs), 1 to 500", minItems = 1, maxItems = 500)
            @NotNull @Size(min = 1, max = 500) List<String> orderIds) {
    }

    @RegisterForReflection
    public record TypeCount(NotificationType type, @Schema(description = "Notifications of this type recorded for the order") long count) {
    }

    @RegisterForReflection
    public record OrderFacts(UUID orderId, List<TypeCount> notifications) {
        static OrderFacts of(NotificationCorrectness.OrderFacts f) {
            return new OrderFacts(f.orderId(), f.notifications().stream().map(n -> new TypeCount(n.type(), n.count())).toList());
        }
    }

    @RegisterForReflection
    public record OrdersFacts(@Schema(description = "The answering service") String service,
                              @Schema(description = "The notifications of the requested orders this service recorded; orders never notified are left out")
                              List<OrderFacts> orders) {
    }

    @RegisterForReflection
    public record Violation(String invariant, String subject, String detail) {
    }

    @RegisterForReflection
    public record Invariants(String service, Instant checkedAt,
                             @Schema(description = "Subjects checked: always 0, notification-svc has no invariant of its own") long subjectsChecked,
                             @Schema(description = "Always empty") List<Violation> violations) {
    }
}
