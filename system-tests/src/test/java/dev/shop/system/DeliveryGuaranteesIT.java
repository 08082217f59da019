package dev.shop.system;

import dev.shop.eventing.testing.BrokerClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;

import static dev.shop.system.Api.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At-least-once delivery made safe: duplicates have one effect, poison goes to the DLQ with its reason. */
class DeliveryGuaranteesIT {

    private static final String TAP = "e2e.tap";
    private static final BrokerClient broker = new BrokerClient(ShopSystem.VHOST);

    @BeforeAll
    static void system() {
        ShopSystem.get();
        broker.declareTap(TAP);
        broker.purge(TAP);
    }

    @Test
    void theSameCloudEventDeliveredTwiceHasOneEffect() {
        String sku = unique("MUG");
        String customer = unique("frank");
        product(sku, "4.00", 10);
        account(customer, "50.00");
        String id = place(customer, sku, 2);
        assertEquals("CONFIRMED", awaitFinished(id).getString("status"));

        // Deliver the saga's own events a second time, byte for byte (same CloudEvent ids).
        var reserved = broker.await(TAP, BrokerClient.event("stock.reserved", id), Duration.ofSeconds(30));
        var confirmed = broker.await(TAP, BrokerClient.event("order.confirmed", id), Duration.ofSeconds(30));
        assertTrue(broker.publish("stock.reserved", reserved.body()));
        assertTrue(broker.publish("order.confirmed", confirmed.body()));

        // Queues are consumed in order: once a later order has finished, the duplicates were processed.
        String sentinel = place(customer, sku, 1);
        awaitFinished(sentinel);

        assertEquals(0, new BigDecimal("38.00").compareTo(credit(customer)), "charged once per order");
        assertEquals(7, stock(sku).getInt("available"));
        assertEquals(0, stock(sku).getInt("reserved"));
        assertEquals(1, notifications(id).size());
    }

    @Test
    void poisonMessageLandsInTheDlqWithItsReasonAndLaterOrdersComplete() {
        String marker = unique("poison");
        assertTrue(broker.publish("order.placed", "{ this is not a CloudEvent " + marker));
        // The service parks its DLQ into its dead-letter store; operators read it over the admin API.
        var dead = dev.shop.eventing.testing.Eventually.await(Duration.ofSeconds(30),
                () -> asOperator().baseUri(ShopSystem.url("inventory")).queryParam("status", "PENDING")
                        .get("/admin/dead-letters").then().statusCode(200).extract().jsonPath(),
                j -> j.getList("findAll { it.body.contains('" + marker + "') }").size() == 1, "poison parked");
        String path = "find { it.body.contains('" + marker + "') }.";
        assertTrue(dead.getString(path + "reason").contains("undecodable"), dead.getString(path + "reason"));
        assertEquals("order.placed", dead.getString(path + "routingKey"));
        assertEquals("/inventory-svc", dead.getString(path + "failedBy"));

        String sku = unique("CUP");
        String customer = unique("gina");
        product(sku, "2.00", 5);
        account(customer, "10.00");
        assertEquals("CONFIRMED", awaitFinished(place(customer, sku, 1)).getString("status"));
    }
}
