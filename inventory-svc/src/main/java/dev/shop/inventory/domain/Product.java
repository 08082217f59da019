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
 * pending orders. A sale moves units from {@code reserved} to {@code sold}; a release moves them back
 * to {@code available}. {@code stocked} counts every unit an admin ever put in (or took out of) stock,
 * so units are conserved: {@code available + reserved + sold = stocked} (checked by the correctness
 * monitor, see {@link StockCorrectness}). The invariants {@code available >= 0} and {@code reserved >= 0}
 * are also database CHECKs.
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

    /** Units ever stocked: the sum of every admin stock change (a decrease counts negative). */
    @Column(nullable = false)
    public long stocked;

    /** Units sold: committed to confirmed orders. */
    @Column(nullable = false)
    public long sold;

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
        sold += quantity;
    }

    /**
     * An admin sets the available stock: the difference is an adjustment of the units ever stocked
     * (negative when stock is taken out). Reserved and sold units are not touched.
     */
    void restock(int newAvailable) {
        stocked += (long) newAvailable - available;
        available = newAvailable;
    }
}
