package dev.shop.inventory.api;

import dev.shop.inventory.domain.Product;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;

@RegisterForReflection
public record ProductView(String sku, String name, BigDecimal price, int available, int reserved) {

    public static ProductView of(Product p) {
        return new ProductView(p.sku, p.name, p.price, p.available, p.reserved);
    }
}
