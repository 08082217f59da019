package dev.shop.inventory.api;

import dev.shop.inventory.domain.ReservationStatus;
import dev.shop.inventory.domain.StockCorrectness;
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
    public record Line(String sku, int quantity) {
    }

    @RegisterForReflection
    public record OrderFacts(UUID orderId, ReservationStatus status, List<Line> lines) {
        static OrderFacts of(StockCorrectness.OrderFacts f) {
            return new OrderFacts(f.orderId(), f.status(), f.lines().stream().map(l -> new Line(l.sku(), l.quantity())).toList());
        }
    }

    @RegisterForReflection
    public record OrdersFacts(@Schema(description = "The answering service") String service,
                              @Schema(description = "The reservations of the requested orders this service knows; unknown ids are left out")
                              List<OrderFacts> orders) {
    }

    @RegisterForReflection
    public record Violation(@Schema(enumeration = {StockCorrectness.STOCK_CONSERVED, StockCorrectness.RESERVED_MATCHES_HOLDS}) String invariant,
                            @Schema(description = "The product's SKU") String subject,
                            @Schema(description = "The numbers that break the invariant") String detail) {
    }

    @RegisterForReflection
    public record Invariants(String service, Instant checkedAt,
                             @Schema(description = "Products checked") long subjectsChecked,
                             List<Violation> violations) {
        static Invariants of(String service, Instant checkedAt, StockCorrectness.Report report) {
            return new Invariants(service, checkedAt, report.subjectsChecked(), report.violations().stream()
                    .map(v -> new Violation(v.invariant(), v.subject(), v.detail())).toList());
        }
    }
}
