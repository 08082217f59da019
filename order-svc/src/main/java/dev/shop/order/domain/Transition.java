package dev.shop.order.domain;

/**
 * Result of asking an order to change state. {@code IGNORED} is a normal outcome: it is what a
 * redelivered or late event produces (e.g. a payment authorisation for an order that already timed
 * out), and the caller must then emit nothing.
 */
public enum Transition {
    APPLIED, IGNORED;

    public boolean applied() {
        return this == APPLIED;
    }
}
