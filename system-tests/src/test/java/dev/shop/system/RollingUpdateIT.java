package dev.shop.system;

import dev.shop.eventing.testing.Eventually;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.shop.system.Api.*;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rolling update under load, as Kubernetes would run it: for every service, a second instance (the
 * "new version", after an expand-only schema step) starts beside the old one on the same queue and
 * database, then the old one stops (SIGTERM) and later comes back, one service at a time, while
 * orders keep arriving. Clients retry placements on another instance with the same Idempotency-Key,
 * as behind a load balancer. Nothing may be lost, stuck or charged twice.
 */
class RollingUpdateIT {

    private static final Map<String, Integer> NEXT_PORTS = Map.of("order", 18091, "inventory", 18092, "billing", 18093, "notification", 18094);

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    @Test
    void rollingEveryServiceDuringSteadyTrafficLosesAndDoublesNothing() throws Exception {
        String sku = unique("ROLL");
        String customer = unique("rolly");
        product(sku, "1.00", 100_000);
        account(customer, "100000.00");
        // The new version's expand step: additive and nullable, so the running old version is unaffected.
        ShopSystem.psql("shop_billing_" + ShopSystem.ENV, "alter table payment add column if not exists note varchar(200)");

        List<String> orderPorts = new CopyOnWriteArrayList<>(List.of(ShopSystem.url("order")));
        List<String> placed = new CopyOnWriteArrayList<>();
        AtomicInteger retries = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread traffic = new Thread(() -> {
            while (running.get()) {
                placed.add(placeWithRetry(orderPorts, customer, sku, UUID.randomUUID().toString(), retries));
                ShopSystem.sleep(100);
            }
        }, "steady-traffic");
        traffic.start();

        ShopSystem system = ShopSystem.get();
        try {
            for (String svc : List.of("inventory", "billing", "notification", "order")) {
                int next = NEXT_PORTS.get(svc);
                system.start(svc, svc + "-next", next, Map.of());
                system.awaitReady(svc + "-next", next);
                if (svc.equals("order")) {
                    orderPorts.add("http://127.0.0.1:" + next);
                    orderPorts.remove(ShopSystem.url("order"));
                }
                ShopSystem.sleep(1500);
                system.stop(svc);                        // old version leaves (graceful)
                ShopSystem.sleep(1500);
                system.start(svc, Map.of());             // ... and its replacement takes the old slot
                system.awaitReady(svc);
                if (svc.equals("order")) {
                    orderPorts.add(0, ShopSystem.url("order"));
                }
                system.stop(svc + "-next");
                if (svc.equals("order")) {
                    orderPorts.remove("http://127.0.0.1:" + next);
                }
            }
        } finally {
            running.set(false);
            traffic.join();
        }

        assertTrue(placed.size() > 50, "steady traffic placed " + placed.size() + " orders");
        for (String id : placed) {
            assertEquals("CONFIRMED", awaitFinished(id).getString("status"), "order " + id);
        }
        int n = placed.size();
        Eventually.await(SAGA_WAIT, () -> stock(sku), s -> s.getInt("reserved") == 0, "every reservation settled");
        assertEquals(100_000 - n, stock(sku).getInt("available"), "sold exactly one unit per order");
        assertEquals(0, new BigDecimal("100000.00").subtract(BigDecimal.valueOf(n)).compareTo(credit(customer)),
                "charged exactly once per order (" + n + " orders, " + retries.get() + " client retries)");
        for (String id : placed) {
            assertEquals(1, notifications(id).size(), "one notification for " + id);
        }
    }

    private static String placeWithRetry(List<String> instances, String customer, String sku, String key, AtomicInteger retries) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 40; attempt++) {
            String base = instances.get(attempt % instances.size());
            try {
                return asCustomer(customer).baseUri(base).contentType(ContentType.JSON).header("Idempotency-Key", key)
                        .body(Map.of("customerId", customer, "items", List.of(Map.of("sku", sku, "quantity", 1))))
                        .post("/api/v1/orders").then().statusCode(202).extract().path("id");
            } catch (RuntimeException | AssertionError e) {
                last = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                retries.incrementAndGet();
                ShopSystem.sleep(250);
            }
        }
        throw last;
    }
}
