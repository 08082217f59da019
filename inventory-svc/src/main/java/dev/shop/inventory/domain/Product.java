package dev.shop.inventory.domain;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.math.BigDecimal;

/**
 * A catalogue entry and its stock. {@code available} can be reserved; {@code reserved} is held for
 * pending orders. A sale removes units from {@code reserved}; a release moves them back.
 * The invariants {@code available >= 0} and {@code reserved >= 0} are also database CHECKs.
 */
@Entity
@Table(name = "product")
public class Product extends PanacheEntityBase {

    @Id
    @Column(length = 64)
    public String sku;

    @Column(nullable = false, length = 200)
    public String name;

    @Column(nullable = false, precision = 12, scale = 2)
    public BigDecimal price;

    @Column(nullable = false)
    public int available;

    @Column(nullable = false)
    public int reserved;

    @Version
    public long version;

    public boolean canReserve(int quantity) {
        return available >= quantity;
    }

    void reserve(int quantity) {
        if (!canReserve(quantity)) {
            throw new IllegalStateException("cannot reserve " + quantity + " of " + sku + ", available " + available);
        }
        available -= quantity;
        reserved += quantity;
    }

    void release(int quantity) {
        reserved -= quantity;
        available += quantity;
    }

    void sell(int quantity) {
        reserved -= quantity;
    }
}
