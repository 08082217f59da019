package dev.shop.inventory.domain;

/**
 * HELD -> COMMITTED (order confirmed: sold) | RELEASED (order cancelled: stock returned).
 * REJECTED: nothing was held. CANCELLED_EARLY: order.cancelled arrived before order.placed (e.g. the
 * order timed out while this service was down); the row makes the late order.placed a no-op.
 */
public enum ReservationStatus { HELD, COMMITTED, RELEASED, REJECTED, CANCELLED_EARLY }
