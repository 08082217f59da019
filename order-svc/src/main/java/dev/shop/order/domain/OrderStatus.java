package dev.shop.order.domain;

public enum OrderStatus { PENDING, CONFIRMED, CANCELLED }
