package dev.shop.system;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.shop.system.Api.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Contention: many orders racing for little stock or little credit never oversell or overdraw. */
class ConcurrencyIT {

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    private static Map<String, Integer> placeConcurrently(int orders, List<String> customers, String sku) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<Future<String>> placed = new ArrayList<>();
            for (int i = 0; i < orders; i++) {
                String customer = customers.get(i % customers.size());
                placed.add(pool.submit(() -> place(customer, sku, 1)));
            }
            Map<String, Integer> outcomes = new HashMap<>();
            for (Future<String> f : placed) {
                var order = awaitFinished(f.get());
                String outcome = order.getString("status") + (order.get("cancellationReason") == null ? "" : ":" + order.getString("cancellationReason"));
                outcomes.merge(outcome, 1, Integer::sum);
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoHundredOrdersForFiftyUnitsSellExactlyFifty() throws Exception {
        String sku = unique("HOT");
        product(sku, "1.00", 50);
        List<String> customers = List.of(unique("c1"), unique("c2"), unique("c3"), unique("c4"));
        for (String c : customers) {
            account(c, "1000.00");
        }
        Map<String, Integer> outcomes = placeConcurrently(200, customers, sku);
        assertEquals(Map.of("CONFIRMED", 50, "CANCELLED:OUT_OF_STOCK", 150), outcomes);
        assertEquals(0, stock(sku).getInt("available"));
        assertEquals(0, stock(sku).getInt("reserved"));
        BigDecimal spent = customers.stream().map(c -> new BigDecimal("1000.00").subtract(credit(c))).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, new BigDecimal("50.00").compareTo(spent), "charged exactly the 50 units sold");
    }

    @Test
    void concurrentOrdersNeverOverdrawCredit() throws Exception {
        String sku = unique("CHEAP");
        product(sku, "1.00", 100);
        String customer = unique("thrifty");
        account(customer, "5.00");
        Map<String, Integer> outcomes = placeConcurrently(20, List.of(customer), sku);
        assertEquals(Map.of("CONFIRMED", 5, "CANCELLED:PAYMENT_DECLINED", 15), outcomes);
        assertEquals(0, BigDecimal.ZERO.compareTo(credit(customer)));
        assertTrue(credit(customer).signum() >= 0);
        var s = dev.shop.eventing.testing.Eventually.await(SAGA_WAIT, () -> stock(sku), st -> st.getInt("reserved") == 0, "declined stock released");
        assertEquals(95, s.getInt("available"));
    }
}
