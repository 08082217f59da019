package dev.shop.notification;

import dev.shop.eventing.testing.Tokens;
import com.sun.net.httpserver.HttpServer;
import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import dev.shop.notification.callback.CallbackSigner;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callbacks against a real local HTTP receiver that fails, hangs and recovers: every finished order
 * reaches it exactly once by delivery id, the per-host circuit opens and closes, and a hanging target
 * never holds up the saga's notifications.
 */
@QuarkusTest
class CallbackTests {


    /** /q/metrics on the management interface (its test port: 9001 unless configured). */
    private static String metricsUrl() {
        return "http://localhost:" + org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001) + "/q/metrics";
    }

    enum Mode { FAIL, HANG, OK }

    private static final AtomicReference<Mode> MODE = new AtomicReference<>(Mode.FAIL);
    private static final Map<String, String> ACCEPTED = new ConcurrentHashMap<>(); // deliveryId -> orderId
    private static final AtomicInteger CALLS = new AtomicInteger();
    private static final AtomicInteger BAD_SIGNATURES = new AtomicInteger();
    private static HttpServer receiver;

    private final BrokerClient broker = new BrokerClient("shop-test-notification");

    @BeforeAll
    static void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(16));
        receiver.createContext("/hook", exchange -> {
            CALLS.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String timestamp = exchange.getRequestHeaders().getFirst(CallbackSigner.TIMESTAMP);
            String signature = exchange.getRequestHeaders().getFirst(CallbackSigner.SIGNATURE);
            if (timestamp == null || !CallbackSigner.sign("test-secret", Long.parseLong(timestamp), body).equals(signature)) {
                BAD_SIGNATURES.incrementAndGet();
            }
            int status;
            switch (MODE.get()) {
                case HANG -> {
                    sleep(5_000);
                    status = 200; // too late: the sender has timed out and will send again
                }
                case FAIL -> status = 503;
                default -> {
                    JsonPath json = new JsonPath(body);
                    ACCEPTED.putIfAbsent(exchange.getRequestHeaders().getFirst(CallbackSigner.DELIVERY_ID), json.getString("orderId"));
                    status = 204;
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterAll
    static void stopReceiver() {
        receiver.stop(0);
    }

    private String hook() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private String finishOrder(String callbackUrl) {
        String id = UUID.randomUUID().toString();
        Map<String, Object> data = new java.util.HashMap<>(Map.of("orderId", id, "customerId", "cb", "total", 12.5));
        if (callbackUrl != null) {
            data.put("callbackUrl", callbackUrl);
        }
        broker.publish(BrokerClient.cloudEvent("order.confirmed", id, data));
        return id;
    }

    private String circuit() {
        return given().auth().oauth2(Tokens.operator()).get("/admin/callbacks").then().statusCode(200).extract().jsonPath().getString("circuits.'127.0.0.1'");
    }

    @Test
    void everyFinishedOrderIsDeliveredOnceThroughFailuresHangsAndRecovery() {
        MODE.set(Mode.FAIL);
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            orders.add(finishOrder(hook()));
        }
        Eventually.await(Duration.ofSeconds(30), this::circuit, "OPEN"::equals, "circuit for the failing host opens");

        MODE.set(Mode.HANG);
        orders.add(finishOrder(hook()));
        String plain = finishOrder(null);
        // The saga does not wait for callbacks: a notification without one is recorded right away.
        Eventually.await(Duration.ofSeconds(5), () -> given().auth().oauth2(Tokens.operator()).queryParam("orderId", plain).get("/api/v1/notifications")
                .then().extract().jsonPath().getList("$").size(), n -> n == 1, "notification while the target hangs");

        MODE.set(Mode.OK);
        Eventually.await(Duration.ofSeconds(60), () -> Set.copyOf(ACCEPTED.values()), seen -> seen.containsAll(orders),
                "every callback accepted");
        Eventually.await(Duration.ofSeconds(30), this::circuit, "CLOSED"::equals, "circuit closes after recovery");
        JsonPath view = Eventually.await(Duration.ofSeconds(30), () -> given().auth().oauth2(Tokens.operator()).get("/admin/callbacks").then().extract().jsonPath(),
                v -> v.getList("deliveries.findAll { it.status == 'PENDING' }").isEmpty(), "nothing pending");

        for (String order : orders) {
            assertEquals(1, ACCEPTED.values().stream().filter(order::equals).count(), "one delivery id per order " + order);
            assertEquals("DELIVERED", view.getString("deliveries.find { it.orderId == '" + order + "' }.status"));
        }
        assertTrue(CALLS.get() > orders.size(), "failures and hangs were retried (" + CALLS.get() + " calls)");
        assertEquals(0, BAD_SIGNATURES.get(), "every call carried a valid HMAC signature");
        assertTrue(given().get(metricsUrl()).then().extract().asString().contains("shop_callback_deliveries_total"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
