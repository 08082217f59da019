package dev.shop.billing.messaging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;

/** Event payloads as billing-svc reads and writes them; contracts of record: contracts/schemas. */
public final class Events {

    private Events() {
    }

    public static final String STOCK_RESERVED = "stock.reserved";
    public static final String ORDER_CANCELLED = "order.cancelled";
    public static final String PAYMENT_AUTHORIZED = "payment.authorized";
    public static final String PAYMENT_DECLINED = "payment.declined";
    public static final String PAYMENT_REFUNDED = "payment.refunded";

    /** Billing charges the total inventory priced; it does not need the lines. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StockReserved(String orderId, String customerId, BigDecimal total) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OrderCancelled(String orderId, String customerId) {
    }

    @RegisterForReflection
    public record PaymentAuthorized(String orderId, String customerId, BigDecimal amount) {
    }

    @RegisterForReflection
    public record PaymentDeclined(String orderId, String customerId, BigDecimal amount, String reason) {
    }

    @RegisterForReflection
    public record PaymentRefunded(String orderId, String customerId, BigDecimal amount) {
    }
}
