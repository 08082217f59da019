package dev.shop.floor;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A few seconds of the floor against the local RabbitMQ and PostgreSQL (own vhost and database), with
 * batching off so every commit is visible: it must have done exactly the work {@link SagaPlan} states
 * per order, counted by the floor and found in the database afterwards. Nothing here depends on timing.
 */
class FloorSmokeIT {

    @Test
    void everyOrderCostsThePlannedPublishesDeliveriesCommitsAndRows() throws Exception {
        Floor.Environment env = Floor.Environment.fromSystem();
        String server = "jdbc:postgresql://" + env.pgHost() + ":" + env.pgPort();
        String database = "shop_floor_test";
        Broker broker = new Broker(env.rabbitApi(), env.rabbitUser(), env.rabbitPassword(), "shop-floor-test");
        Path topology = Path.of(System.getProperty("shop.root", "../..")).resolve("topology/definitions.json");
        try (FloorRun floor = new FloorRun(new FloorRun.Settings(env.amqpHost(), env.amqpPort(), env.rabbitUser(), env.rabbitPassword(),
                "shop-floor-test", server + "/" + database, env.pgUser(), 1, 64))) {
            broker.create(topology);
            Schema.create(server, env.pgUser(), database, FloorRun.skus(floor.runId()), FloorRun.customers(floor.runId()));
            floor.start();
            FloorRun.Result r = floor.runAt(40, 5);
            long orders = r.placed();
            assertEquals(200, orders);
            assertEquals(orders, r.completed(), "every order reached the tap");
            // The last saga steps (stock.committed to order-svc, relay marks) may still be under way after the tap saw the order.
            long end = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < end && (floor.published.get() < SagaPlan.PUBLISHES * orders
                    || floor.delivered.get() < SagaPlan.DELIVERIES * orders || commits(floor) < SagaPlan.COMMITS * orders)) {
                Thread.sleep(100);
            }
            assertEquals(SagaPlan.PUBLISHES * orders, floor.published.get(), "confirmed publishes");
            assertEquals(SagaPlan.DELIVERIES * orders, floor.delivered.get(), "deliveries acked by the four roles");
            assertEquals(orders, floor.tapDelivered.get(), "terminal events on the tap");
            assertEquals(SagaPlan.INBOX_ROWS * orders, floor.inboxRows.get(), "inbox rows");
            assertEquals(SagaPlan.ROWS_INSERTED * orders, floor.rowsInserted.get(), "rows inserted");
            assertEquals(SagaPlan.ROWS_UPDATED * orders, floor.rowsUpdated.get(), "rows updated");
            assertEquals(SagaPlan.COMMITS_ORDER * orders, floor.commits.get("order").get(), "order-svc commits");
            assertEquals(SagaPlan.COMMITS_INVENTORY * orders, floor.commits.get("inventory").get(), "inventory-svc commits");
            assertEquals(SagaPlan.COMMITS_BILLING * orders, floor.commits.get("billing").get(), "billing-svc commits");
            assertEquals(SagaPlan.COMMITS_NOTIFICATION * orders, floor.commits.get("notification").get(), "notification-svc commits");
            try (Connection c = DriverManager.getConnection(server + "/" + database, env.pgUser(), null); Statement s = c.createStatement()) {
                assertEquals(orders * 2, count(s, "select count(*) from order_svc.outbox where published_at is not null"), "order-svc events published and marked");
                assertEquals(orders * 2, count(s, "select count(*) from inventory_svc.outbox where published_at is not null"));
                assertEquals(orders, count(s, "select count(*) from billing_svc.outbox where published_at is not null"));
                assertEquals(orders * 5, count(s, "select count(*) from order_svc.journey_step"), "every saga event in the journey");
                assertEquals(orders, count(s, "select count(*) from order_svc.orders where status = 'CONFIRMED' and total = 1.00"));
                assertEquals(orders, count(s, "select count(*) from inventory_svc.reservation where status = 'COMMITTED'"));
                assertEquals(orders, count(s, "select count(*) from billing_svc.payment where status = 'AUTHORIZED'"));
                assertEquals(orders, count(s, "select count(*) from notification_svc.notification"));
                assertEquals(orders, count(s, "select sum(sold) from inventory_svc.product"));
            }
            // The management API's queue figures are sampled every few seconds.
            long settled = System.nanoTime() + 20_000_000_000L;
            int left;
            while ((left = depth(broker)) > 0 && System.nanoTime() < settled) {
                Thread.sleep(500);
            }
            assertEquals(0, left, "every delivery acknowledged");
        } finally {
            broker.delete();
            Schema.drop(server, env.pgUser(), database);
        }
    }

    private static int depth(Broker broker) throws Exception {
        return broker.depth("order-svc.events") + broker.depth("inventory-svc.events") + broker.depth("billing-svc.events")
                + broker.depth("notification-svc.events");
    }

    private static long commits(FloorRun floor) {
        return floor.commits.values().stream().mapToLong(AtomicLong::get).sum();
    }

    private static long count(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
