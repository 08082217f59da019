package dev.shop.billing.domain;

/**
 * AUTHORIZED -> REFUNDED (order cancelled after payment). DECLINED is final.
 * VOIDED: order.cancelled arrived before stock.reserved (e.g. the order timed out while billing was
 * down). Keeping it in the payment table means the late authorisation and the cancellation race on
 * one primary key, so with several consumers or replicas exactly one of them wins and the other
 * retries and sees it. A VOIDED row is not a payment: the API answers 404 for it.
 */
public enum PaymentStatus { AUTHORIZED, DECLINED, REFUNDED, VOIDED }
