package dev.shop.billing.domain;

/** AUTHORIZED -> REFUNDED (order cancelled after payment). DECLINED is final. */
public enum PaymentStatus { AUTHORIZED, DECLINED, REFUNDED }
