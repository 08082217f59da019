package dev.shop.billing.api;

import dev.shop.billing.domain.CreditCorrectness;
import dev.shop.billing.domain.PaymentStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.math.BigDecimal;
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
    public record OrderFacts(UUID orderId, PaymentStatus status,
                             @Schema(description = "The amount charged or declined; 0 for VOIDED") BigDecimal amount,
                             String customerId) {
        static OrderFacts of(CreditCorrectness.OrderFacts f) {
            return new OrderFacts(f.orderId(), f.status(), f.amount(), f.customerId());
        }
    }

    @RegisterForReflection
    public record OrdersFacts(@Schema(description = "The answering service") String service,
                              @Schema(description = "The payments of the requested orders this service knows; unknown ids are left out")
                              List<OrderFacts> orders) {
    }

    @RegisterForReflection
    public record Violation(@Schema(enumeration = {CreditCorrectness.CREDIT_CONSERVED}) String invariant,
                            @Schema(description = "The customer id") String subject,
                            @Schema(description = "The numbers that break the invariant") String detail) {
    }

    @RegisterForReflection
    public record Invariants(String service, Instant checkedAt,
                             @Schema(description = "Accounts (and customers with authorised payments) checked") long subjectsChecked,
                             List<Violation> violations) {
        static Invariants of(String service, Instant checkedAt, CreditCorrectness.Report report) {
            return new Invariants(service, checkedAt, report.subjectsChecked(), report.violations().stream()
                    .map(v -> new Violation(v.invariant(), v.subject(), v.detail())).toList());
        }
    }
}
