package dev.shop.notification.messaging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Event payloads as notification-svc reads them; contracts of record: contracts/schemas. */
public final class Events {

    private Events() {
    }

    public static final String ORDER_CONFIRMED = "order.confirmed";
    public static final String ORDER_CANCELLED = "order.cancelled";

    /** order.confirmed and order.cancelled, as far as notification needs them. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OrderFinished(String orderId, String customerId, String reason, java.math.BigDecimal total, String callbackUrl) {
    }
}
