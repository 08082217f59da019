package dev.shop.order.api;

import dev.shop.order.domain.CancellationReason;
import dev.shop.order.domain.Order;
import dev.shop.order.domain.OrderStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@RegisterForReflection
public record OrderView(UUID id, String customerId, List<LineView> items, BigDecimal total, OrderStatus status,
                        CancellationReason cancellationReason, Instant createdAt, Instant updatedAt) {

    @RegisterForReflection
    public record LineView(String sku, int quantity, BigDecimal unitPrice) {
    }

    public static OrderView of(Order order) {
        return new OrderView(order.id, order.customerId,
                order.items.stream().map(l -> new LineView(l.sku, l.quantity, l.unitPrice)).toList(),
                order.total, order.status, order.cancellationReason, order.createdAt, order.updatedAt);
    }
}
