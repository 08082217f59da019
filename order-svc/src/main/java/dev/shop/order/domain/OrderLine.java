package dev.shop.order.domain;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

import java.math.BigDecimal;

/** One line of an order. {@code unitPrice} is unknown until inventory has reserved the stock. */
@Embeddable
public class OrderLine {

    @Column(nullable = false, length = 64)
    public String sku;

    @Column(nullable = false)
    public int quantity;

    @Column(name = "unit_price", precision = 12, scale = 2)
    public BigDecimal unitPrice;

    protected OrderLine() {
    }

    public OrderLine(String sku, int quantity) {
        this.sku = sku;
        this.quantity = quantity;
    }
}
