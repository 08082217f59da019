package dev.shop.order.messaging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The event payloads order-svc reads and writes, as this service sees them. The contract of record
 * is contracts/schemas/*.json; these records are tolerant readers (unknown fields are ignored), so
 * producers may add fields without breaking this service.
 */
public final class Events {

    private Events() {
    }

    public static final String ORDER_PLACED = "order.placed";
    public static final String ORDER_CONFIRMED = "order.confirmed";
    public static final String ORDER_CANCELLED = "order.cancelled";
    public static final String STOCK_RESERVED = "stock.reserved";
    public static final String STOCK_REJECTED = "stock.rejected";
    public static final String PAYMENT_AUTHORIZED = "payment.authorized";
    public static final String PAYMENT_DECLINED = "payment.declined";

    @RegisterForReflection
    public record Line(String sku, int quantity) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PricedLine(String sku, int quantity, BigDecimal unitPrice) {
    }

    @RegisterForReflection
    public record OrderPlaced(String orderId, String customerId, List<Line> items, Instant placedAt) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OrderConfirmed(String orderId, String customerId, BigDecimal total, String callbackUrl) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OrderCancelled(String orderId, String customerId, String reason, BigDecimal total, String callbackUrl) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StockReserved(String orderId, String customerId, List<PricedLine> items, BigDecimal total) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StockRejected(String orderId, String customerId, String reason, String sku) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PaymentAuthorized(String orderId, String customerId, BigDecimal amount) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record PaymentDeclined(String orderId, String customerId, BigDecimal amount, String reason) {
    }
}
