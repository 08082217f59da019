package dev.shop.inventory.domain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProductTest {

    private static Product stocked(int available) {
        Product p = new Product();
        p.sku = "A";
        p.restock(available);
        return p;
    }

    private static List<StockCorrectness.Violation> check(Product p, long held) {
        return StockCorrectness.violations(new StockCorrectness.ProductCounts(p.sku, p.available, p.reserved, p.sold, p.stocked, held));
    }

    @Test
    void aNewProductsStockIsItsFirstStocking() {
        Product p = stocked(10);
        assertEquals(10, p.available);
        assertEquals(10, p.stocked);
        assertEquals(0, p.sold);
    }

    @Test
    void anAdminDecreaseIsANegativeAdjustmentAndAnIncreaseAPositiveOne() {
        Product p = stocked(10);
        p.restock(4);
        assertEquals(4, p.stocked);
        p.restock(12);
        assertEquals(12, p.stocked);
    }

    @Test
    void aSaleMovesUnitsFromReservedToSold() {
        Product p = stocked(10);
        p.reserve(3);
        p.sell(3);
        assertEquals(7, p.available);
        assertEquals(0, p.reserved);
        assertEquals(3, p.sold);
        assertEquals(10, p.stocked);
    }

    @Test
    void restockingWhileUnitsAreHeldOrSoldAdjustsOnlyByTheChangeOfAvailable() {
        Product p = stocked(10);
        p.reserve(4);
        p.reserve(2);
        p.sell(2);
        p.restock(1); // available was 4
        assertEquals(10 - 3, p.stocked);
        assertEquals(List.of(), check(p, 4));
    }

    @Test
    void everyStockMovementConservesUnits() {
        Product p = stocked(10);
        p.reserve(5);
        assertEquals(List.of(), check(p, 5));
        p.release(2);
        assertEquals(List.of(), check(p, 3));
        p.sell(3);
        assertEquals(List.of(), check(p, 0));
        p.restock(20);
        p.reserve(1);
        assertEquals(List.of(), check(p, 1));
    }
}
