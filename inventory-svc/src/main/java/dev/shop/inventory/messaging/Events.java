package dev.shop.inventory.messaging;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.util.List;

/** Event payloads as inventory-svc reads and writes them; contracts of record: contracts/schemas. */
public final class Events {

    private Events() {
    }

    public static final String ORDER_PLACED = "order.placed";
    public static final String ORDER_CONFIRMED = "order.confirmed";
    public static final String ORDER_CANCELLED = "order.cancelled";
    public static final String STOCK_RESERVED = "stock.reserved";
    public static final String STOCK_REJECTED = "stock.rejected";
    public static final String STOCK_COMMITTED = "stock.committed";
    public static final String STOCK_RELEASED = "stock.released";

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Line(String sku, int quantity) {
    }

    @RegisterForReflection
    public record PricedLine(String sku, int quantity, BigDecimal unitPrice) {
    }

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OrderPlaced(String orderId, String customerId, List<Line> items) {
    }

    /** order.confirmed and order.cancelled: inventory needs only the order id. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OrderFinished(String orderId) {
    }

    @RegisterForReflection
    public record StockReserved(String orderId, String customerId, List<PricedLine> items, BigDecimal total) {
    }

    @RegisterForReflection
    public record StockRejected(String orderId, String customerId, String reason, String sku) {
    }

    @RegisterForReflection
    public record StockSettled(String orderId, List<Line> items) {
    }
}
