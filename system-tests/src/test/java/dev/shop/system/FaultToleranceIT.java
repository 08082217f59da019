package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.shop.system.Api.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Design for failure: crashed services, a restarted broker and a stalled saga lose nothing. */
class FaultToleranceIT {

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    @ParameterizedTest(name = "{0}-svc killed with SIGKILL mid-saga")
    @ValueSource(strings = {"inventory", "billing", "order", "notification"})
    void ordersOfAKilledAndRestartedServiceStillComplete(String victim) {
        String sku = unique("K");
        String customer = unique("kim");
        product(sku, "1.00", 100);
        account(customer, "100.00");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            ids.add(place(customer, sku, 1));
        }
        ShopSystem.get().kill9(victim);
        ShopSystem.sleep(500);
        ShopSystem.get().start(victim, Map.of());
        ShopSystem.get().awaitReady(victim);
        for (String id : ids) {
            assertEquals("CONFIRMED", awaitFinished(id).getString("status"), "order " + id);
        }
        assertEquals(85, stock(sku).getInt("available"));
        // The sale (order.confirmed -> inventory) settles after the order's own confirmation.
        Eventually.await(SAGA_WAIT, () -> stock(sku), s -> s.getInt("reserved") == 0, "all reservations sold");
        assertEquals(0, new BigDecimal("85.00").compareTo(credit(customer)));
    }

    @Test
    void brokerRestartMidRunLosesNoOrderAndLeavesNoneStuck() throws Exception {
        String sku = unique("B");
        String customer = unique("ben");
        product(sku, "1.00", 100);
        account(customer, "100.00");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(place(customer, sku, 1));
        }
        rabbitmqctl("stop_app");
        try {
            for (int i = 0; i < 10; i++) {
                ids.add(place(customer, sku, 1)); // accepted: the outbox holds the events until the broker is back
            }
        } finally {
            rabbitmqctl("start_app");
        }
        for (String id : ids) {
            assertEquals("CONFIRMED", awaitFinished(id).getString("status"), "order " + id);
        }
        assertEquals(80, stock(sku).getInt("available"));
        Eventually.await(SAGA_WAIT, () -> stock(sku), s -> s.getInt("reserved") == 0, "all reservations sold");
        assertEquals(0, new BigDecimal("80.00").compareTo(credit(customer)));
    }

    @Test
    void pendingOrderPastItsDeadlineIsCancelledAndCompensated() {
        String sku = unique("T");
        String customer = unique("tess");
        product(sku, "10.00", 5);
        account(customer, "100.00");
        ShopSystem system = ShopSystem.get();
        system.stop("billing"); // the saga stalls after the reservation
        system.restart("order", Map.of("SHOP_ORDER_SAGA_TIMEOUT", "4s"));
        try {
            String id = place(customer, sku, 2);
            var order = Eventually.await(SAGA_WAIT, () -> order(id), o -> !"PENDING".equals(o.getString("status")), "timeout");
            assertEquals("CANCELLED", order.getString("status"));
            assertEquals("TIMEOUT", order.getString("cancellationReason"));
            Eventually.await(SAGA_WAIT, () -> stock(sku), s -> s.getInt("available") == 5 && s.getInt("reserved") == 0, "stock released");

            // billing comes back: its queue holds the late stock.reserved and then order.cancelled, so it
            // authorises and then refunds; the customer ends where they started.
            system.start("billing", Map.of());
            system.awaitReady("billing");
            Eventually.await(SAGA_WAIT, () -> payment(id), p -> p.statusCode() == 200 && "REFUNDED".equals(p.path("status")), "refund");
            assertEquals(0, new BigDecimal("100.00").compareTo(credit(customer)));
            assertEquals("CANCELLED", order(id).getString("status"), "a late payment must not resurrect the order");
            assertEquals("ORDER_CANCELLED", notifications(id).get(0).get("type"));
            assertEquals(1, notifications(id).size());
        } finally {
            system.restart("order", Map.of());
            if (!isReady("billing")) {
                system.start("billing", Map.of());
                system.awaitReady("billing");
            }
        }
    }

    private static boolean isReady(String svc) {
        try {
            return io.restassured.RestAssured.given().baseUri(ShopSystem.managementUrl(svc)).get("/q/health/ready").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** SHOP_RABBITMQCTL overrides how rabbitmqctl is reached (CI: "docker exec <container> rabbitmqctl"). */
    private static void rabbitmqctl(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(System.getenv().getOrDefault("SHOP_RABBITMQCTL", "rabbitmqctl").trim().split("\\s+")));
        cmd.add(command);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("rabbitmqctl " + command + " failed");
        }
    }
}
