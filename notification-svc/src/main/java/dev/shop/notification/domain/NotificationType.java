package dev.shop.notification.domain;

public enum NotificationType { ORDER_CONFIRMED, ORDER_CANCELLED }
