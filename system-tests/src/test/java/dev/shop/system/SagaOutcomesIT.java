package dev.shop.system;

import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static dev.shop.system.Api.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Every way an order can end, through the four running services' public APIs only. */
class SagaOutcomesIT {

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    @Test
    void happyPathConfirmsAndEveryServiceAgrees() {
        String sku = unique("BOOK");
        String customer = unique("alice");
        product(sku, "12.50", 10);
        account(customer, "100.00");
        String id = place(customer, sku, 2);
        JsonPath order = awaitFinished(id);
        assertEquals("CONFIRMED", order.getString("status"));
        assertNull(order.get("cancellationReason"));
        assertEquals(new BigDecimal("25.0"), new BigDecimal(order.getString("total")));
        assertEquals(8, stock(sku).getInt("available"));
        assertEquals(0, stock(sku).getInt("reserved"));
        assertEquals(0, new BigDecimal("75.00").compareTo(credit(customer)));
        assertEquals("AUTHORIZED", payment(id).then().statusCode(200).extract().path("status"));
        assertEquals("ORDER_CONFIRMED", notifications(id).get(0).get("type"));
    }

    @Test
    void outOfStockCancelsAndChargesNothing() {
        String sku = unique("RARE");
        String customer = unique("bob");
        product(sku, "5.00", 1);
        account(customer, "100.00");
        String id = place(customer, sku, 2);
        JsonPath order = awaitFinished(id);
        assertEquals("CANCELLED", order.getString("status"));
        assertEquals("OUT_OF_STOCK", order.getString("cancellationReason"));
        assertEquals(1, stock(sku).getInt("available"));
        assertEquals(0, new BigDecimal("100.00").compareTo(credit(customer)));
        payment(id).then().statusCode(404);
        assertEquals("ORDER_CANCELLED", notifications(id).get(0).get("type"));
    }

    @Test
    void unknownProductCancels() {
        String customer = unique("carol");
        account(customer, "100.00");
        String id = place(customer, unique("NOPE"), 1);
        JsonPath order = awaitFinished(id);
        assertEquals("CANCELLED", order.getString("status"));
        assertEquals("UNKNOWN_PRODUCT", order.getString("cancellationReason"));
    }

    @Test
    void declinedPaymentCancelsAndReleasesTheStock() {
        String sku = unique("TV");
        String customer = unique("dave");
        product(sku, "300.00", 5);
        account(customer, "100.00");
        String id = place(customer, sku, 1);
        JsonPath order = awaitFinished(id);
        assertEquals("CANCELLED", order.getString("status"));
        assertEquals("PAYMENT_DECLINED", order.getString("cancellationReason"));
        assertEquals("DECLINED", payment(id).then().statusCode(200).extract().path("status"));
        dev.shop.eventing.testing.Eventually.await(SAGA_WAIT, () -> stock(sku),
                s -> s.getInt("available") == 5 && s.getInt("reserved") == 0, "stock of " + sku + " released");
        assertEquals(0, new BigDecimal("100.00").compareTo(credit(customer)));
    }

    @Test
    void repeatedPlacementWithOneIdempotencyKeyRunsOneSaga() {
        String sku = unique("PEN");
        String customer = unique("erin");
        product(sku, "1.00", 10);
        account(customer, "100.00");
        String key = unique("key");
        String first = place(customer, sku, 3, key);
        String second = place(customer, sku, 3, key);
        assertEquals(first, second);
        assertEquals("CONFIRMED", awaitFinished(first).getString("status"));
        assertEquals(7, stock(sku).getInt("available"));
        assertEquals(0, new BigDecimal("97.00").compareTo(credit(customer)));
    }
}
