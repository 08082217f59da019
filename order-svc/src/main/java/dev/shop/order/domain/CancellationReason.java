package dev.shop.order.domain;

public enum CancellationReason { OUT_OF_STOCK, UNKNOWN_PRODUCT, PAYMENT_DECLINED, TIMEOUT }
