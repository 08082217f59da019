package dev.shop.inventory.domain;

import dev.shop.inventory.domain.StockCorrectness.ProductCounts;
import dev.shop.inventory.domain.StockCorrectness.Violation;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StockCorrectnessTest {

    @Test
    void aConsistentProductBreaksNothing() {
        assertEquals(List.of(), StockCorrectness.violations(new ProductCounts("A", 3, 2, 4, 9, 2)));
    }

    @Test
    void unitsNotAddingUpToTheStockedOnesAreReportedWithTheNumbers() {
        assertEquals(List.of(new Violation("stock_conserved", "A", "available 3 + reserved 2 + sold 4 = 9, stocked 10")),
                StockCorrectness.violations(new ProductCounts("A", 3, 2, 4, 10, 2)));
    }

    @Test
    void reservedUnitsNotHeldByReservationsAreReported() {
        assertEquals(List.of(new Violation("reserved_matches_holds", "A", "reserved 2, held by reservations 5")),
                StockCorrectness.violations(new ProductCounts("A", 3, 2, 4, 9, 5)));
    }

    @Test
    void aProductBreakingBothIsReportedOncePerInvariant() {
        assertEquals(List.of("stock_conserved", "reserved_matches_holds"),
                StockCorrectness.violations(new ProductCounts("A", 0, 1, 0, 0, 0)).stream().map(Violation::invariant).toList());
    }
}
