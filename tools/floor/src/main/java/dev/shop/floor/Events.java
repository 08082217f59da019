package dev.shop.floor;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * CloudEvents shaped and sized as shop's (same envelope attributes, same data fields, one line per
 * order), written as strings: the floor never decodes a body, it only has to carry the same bytes.
 */
final class Events {

    static final String ORDER_PLACED = "order.placed";
    static final String STOCK_RESERVED = "stock.reserved";
    static final String PAYMENT_AUTHORIZED = "payment.authorized";
    static final String ORDER_CONFIRMED = "order.confirmed";
    static final String STOCK_COMMITTED = "stock.committed";

    private Events() {
    }

    /** The event id shop derives from type and order (Outbox.eventId): the same fact always has the same id. */
    static UUID id(String type, UUID orderId) {
        return UUID.nameUUIDFromBytes(("urn:shop:event:" + type + ":" + orderId).getBytes(StandardCharsets.UTF_8));
    }

    static String source(String type) {
        return switch (type) {
            case ORDER_PLACED, ORDER_CONFIRMED -> "/order-svc";
            case STOCK_RESERVED, STOCK_COMMITTED -> "/inventory-svc";
            case PAYMENT_AUTHORIZED -> "/billing-svc";
            default -> throw new IllegalArgumentException(type);
        };
    }

    static String data(String type, UUID orderId, String customer, String sku, Instant placedAt) {
        return switch (type) {
            case ORDER_PLACED -> "{\"orderId\":\"" + orderId + "\",\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"" + sku
                    + "\",\"quantity\":1}],\"placedAt\":\"" + placedAt + "\"}";
            case STOCK_RESERVED -> "{\"orderId\":\"" + orderId + "\",\"customerId\":\"" + customer + "\",\"items\":[{\"sku\":\"" + sku
                    + "\",\"quantity\":1,\"unitPrice\":1.00}],\"total\":1.00}";
            case PAYMENT_AUTHORIZED -> "{\"orderId\":\"" + orderId + "\",\"customerId\":\"" + customer + "\",\"amount\":1.00}";
            case ORDER_CONFIRMED -> "{\"orderId\":\"" + orderId + "\",\"customerId\":\"" + customer + "\",\"total\":1.00}";
            case STOCK_COMMITTED -> "{\"orderId\":\"" + orderId + "\",\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}";
            default -> throw new IllegalArgumentException(type);
        };
    }

    static String cloudEvent(String type, UUID orderId, String traceparent, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id(type, orderId) + "\",\"source\":\"" + source(type) + "\",\"type\":\"" + type
                + "\",\"subject\":\"" + orderId + "\",\"time\":\"" + Instant.now() + "\",\"datacontenttype\":\"application/json\""
                + ",\"dataschema\":\"urn:shop:schema:" + type + ":v1\",\"traceparent\":\"" + traceparent + "\",\"data\":" + data + "}";
    }

    /** A W3C traceparent with random ids, as every outbox row carries one. */
    static String traceparent() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        return String.format("00-%016x%016x-%016x-01", a.getMostSignificantBits(), a.getLeastSignificantBits(), b.getMostSignificantBits());
    }

    /** The journey's outcome text, as order-svc's JourneyProjection writes it. */
    static String outcome(String type) {
        return switch (type) {
            case ORDER_PLACED -> "placed 1 line(s)";
            case STOCK_RESERVED -> "stock reserved, total 1.00";
            case PAYMENT_AUTHORIZED -> "payment authorized: 1.00";
            case ORDER_CONFIRMED -> "order confirmed";
            case STOCK_COMMITTED -> "stock sold";
            default -> type;
        };
    }
}
