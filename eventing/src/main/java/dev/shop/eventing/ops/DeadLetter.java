package dev.shop.eventing.ops;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A message parked from this service's DLQ, as an operator sees it. */
@RegisterForReflection
public record DeadLetter(UUID id, String messageId, String routingKey, String reason, String failureClass, int attempts,
                         OffsetDateTime failedAt, String failedBy, String status, OffsetDateTime resolvedAt, String body) {
}
