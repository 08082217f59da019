package dev.shop.notification.api;

import dev.shop.notification.domain.Notification;
import dev.shop.notification.domain.NotificationType;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.UUID;

@RegisterForReflection
public record NotificationView(UUID orderId, String customerId, NotificationType type, Instant createdAt) {

    public static NotificationView of(Notification n) {
        return new NotificationView(n.orderId, n.customerId, n.type, n.createdAt);
    }
}
