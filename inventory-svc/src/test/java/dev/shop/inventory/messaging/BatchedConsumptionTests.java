package dev.shop.inventory.messaging;

import dev.shop.eventing.testing.Tokens;
import dev.shop.eventing.CloudEvent;
import dev.shop.eventing.EventConsumer;
import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import dev.shop.eventing.SagaStep;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The consumer's batching, driven directly: messages handed to {@link EventConsumer} back to back
 * on one receiver context queue up and commit in one transaction; when one of them fails, the
 * batch rolls back and each message is settled on its own, so the others still take effect once.
 */
@QuarkusTest
class BatchedConsumptionTests {

    @Inject
    EventConsumer consumer;
    @Inject
    InventorySaga saga;
    @Inject
    Vertx vertx;
    @Inject
    MeterRegistry registry;

    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Set<String> nacked = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();

    private static String product(int available) {
        String sku = "BATCH-" + UUID.randomUUID().toString().substring(0, 8);
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body("{\"name\":\"Thing\",\"price\":2.00,\"available\":" + available + "}")
                .when().put("/api/v1/products/" + sku).then().statusCode(201);
        return sku;
    }

    private static int reserved(String sku) {
        return given().get("/api/v1/products/" + sku).then().statusCode(200).extract().jsonPath().getInt("reserved");
    }

    private Message<byte[]> orderPlaced(String orderId, String sku) {
        var event = BrokerClient.cloudEvent("order.placed", orderId, Map.of("orderId", orderId, "customerId", "alice",
                "items", List.of(Map.of("sku", sku, "quantity", 1)), "placedAt", "2026-01-01T00:00:00Z"));
        return Message.of(event.toString().getBytes(StandardCharsets.UTF_8))
                .withAck(() -> {
                    acked.add(orderId);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    nacked.add(orderId);
                    return CompletableFuture.completedFuture(null);
                });
    }

    /** Hands all messages to the consumer in one event-loop turn, as a receiver with a backlog does. */
    private void deliver(List<Message<byte[]>> messages, SagaStep handler) {
        var context = vertx.getOrCreateContext();
        context.runOnContext(ignored -> messages.forEach(m -> consumer.consume(m, handler).subscribe().with(x -> { }, f -> { })));
    }

    private SagaStep counting(Set<String> failing) {
        return (tx, event) -> {
            handled.computeIfAbsent(event.subject(), k -> new AtomicInteger()).incrementAndGet();
            return failing.contains(event.subject())
                    ? Uni.createFrom().failure(new IllegalStateException("simulated failure for " + event.subject()))
                    : saga.handle(tx, event);
        };
    }

    private static List<String> orderIds(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        return ids;
    }

    private double batchMax() {
        var summary = registry.find("shop.consumer.batch.size").summary();
        return summary == null ? 0 : summary.max();
    }

    @Test
    void backlogCommitsInOneTransaction() {
        String sku = product(100);
        List<String> orders = orderIds(6);
        List<Message<byte[]>> messages = orders.stream().map(id -> orderPlaced(id, sku)).toList();
        deliver(messages, counting(Set.of()));

        Eventually.await(Duration.ofSeconds(15), () -> acked.containsAll(orders), ok -> ok, "all six acknowledged");
        assertEquals(6, reserved(sku));
        orders.forEach(id -> assertEquals(1, handled.get(id).get(), "each handled once: " + id));
        // All six were queued before the first transaction started, so they commit together.
        assertTrue(batchMax() >= 6, "a batch of six was committed, max was " + batchMax());
        assertTrue(nacked.isEmpty());
    }

    @Test
    void aFailingMessageRollsItsBatchBackAndTheOthersStillTakeEffectOnce() {
        String sku = product(100);
        List<String> orders = orderIds(6);
        List<Message<byte[]>> messages = orders.stream().map(id -> orderPlaced(id, sku)).toList();
        String failing = orders.get(3);
        deliver(messages, counting(Set.of(failing)));

        // The failing one is retried with backoff, then dead-lettered (and acknowledged once parked there).
        Eventually.await(Duration.ofSeconds(30), () -> acked.containsAll(orders), ok -> ok, "all six settled");
        assertEquals(5, reserved(sku), "every order but the failing one reserved exactly once");
        // [0]..[3] ran in the batch that [3] rolled back, then one by one; [4],[5] never ran in that batch.
        assertEquals(2, handled.get(orders.get(0)).get());
        assertEquals(2, handled.get(orders.get(1)).get());
        assertEquals(2, handled.get(orders.get(2)).get());
        assertEquals(1 + 5, handled.get(failing).get(), "one batch attempt + five attempts on its own");
        assertEquals(1, handled.get(orders.get(4)).get());
        assertEquals(1, handled.get(orders.get(5)).get());
        assertTrue(nacked.isEmpty());
    }
}
