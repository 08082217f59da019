package dev.shop.order.correctness;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One broken invariant: which one, about what (an order id, a SKU, a customer id), and why.
 *
 * @param invariant one of {@link Invariants#ALL}
 */
@RegisterForReflection
public record Violation(String invariant, String subject, String detail) {
}
