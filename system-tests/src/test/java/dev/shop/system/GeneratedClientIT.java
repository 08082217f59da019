package dev.shop.system;

import dev.shop.client.billing.api.AccountsApi;
import dev.shop.client.billing.api.PaymentsApi;
import dev.shop.client.billing.model.AccountRequest;
import dev.shop.client.billing.model.AccountView;
import dev.shop.client.billing.model.PaymentStatus;
import dev.shop.client.billing.model.PaymentView;
import dev.shop.client.inventory.api.ProductsApi;
import dev.shop.client.inventory.model.ProductRequest;
import dev.shop.client.inventory.model.ProductView;
import dev.shop.client.notification.api.NotificationsApi;
import dev.shop.client.notification.model.NotificationType;
import dev.shop.client.notification.model.NotificationView;
import dev.shop.client.order.ApiResponse;
import dev.shop.client.order.api.OrdersApi;
import dev.shop.client.order.model.Line;
import dev.shop.client.order.model.OrderPage;
import dev.shop.client.order.model.OrderStatus;
import dev.shop.client.order.model.OrderView;
import dev.shop.client.order.model.PlaceOrderRequest;
import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.shop.system.Api.SAGA_WAIT;
import static dev.shop.system.Api.unique;
import static dev.shop.system.Clients.anonymous;
import static dev.shop.system.Clients.bearer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI documents are usable: the happy path end to end through nothing but the Java clients that
 * openapi-generator built from the four services' documents (no hand-written request, path or JSON).
 */
class GeneratedClientIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void system() {
        ShopSystem.get();
    }

    @Test
    void happyPathThroughTheGeneratedClients() throws Exception {
        // An admin-only token (no operator role): the writes need nothing else.
        Map<String, String> admin = bearer(Tokens.token("admin-client", Set.of("admin")));
        String customer = unique("gina");
        Map<String, String> asCustomer = bearer(Tokens.customer(customer));
        String sku = unique("GEN");

        var products = new ProductsApi(Clients.inventory());
        var created = products.putProductWithHttpInfo(sku,
                new ProductRequest().name("Generated " + sku).price(new BigDecimal("12.50")).available(10), admin);
        assertEquals(201, created.getStatusCode());
        assertEquals(10, created.getData().getAvailable());

        var accounts = new AccountsApi(Clients.billing());
        var account = accounts.putAccountWithHttpInfo(customer, new AccountRequest().credit(new BigDecimal("100.00")), admin);
        assertEquals(201, account.getStatusCode());

        var orders = new OrdersApi(Clients.order());
        ApiResponse<OrderView> placed = orders.placeOrderWithHttpInfo(
                new PlaceOrderRequest().items(List.of(new Line().sku(sku).quantity(2))), UUID.randomUUID().toString(), asCustomer);
        assertEquals(202, placed.getStatusCode());
        UUID id = placed.getData().getId();
        assertNotNull(id);
        assertEquals(customer, placed.getData().getCustomerId(), "the order is the token subject's");
        assertEquals(List.of("/api/v1/orders/" + id), header(placed.getHeaders(), "Location"));

        OrderView order = Eventually.await(SAGA_WAIT, () -> call(() -> orders.getOrder(id.toString(), asCustomer)),
                o -> o.getStatus() != OrderStatus.PENDING, "order " + id + " finished");
        assertEquals(OrderStatus.CONFIRMED, order.getStatus());
        assertEquals(0, new BigDecimal("25.00").compareTo(order.getTotal()));

        PaymentView payment = new PaymentsApi(Clients.billing()).getPayment(id.toString(), asCustomer);
        assertEquals(PaymentStatus.AUTHORIZED, payment.getStatus());
        assertEquals(0, new BigDecimal("25.00").compareTo(payment.getAmount()));

        var notificationsApi = new NotificationsApi(Clients.notification());
        List<NotificationView> notifications = Eventually.await(SAGA_WAIT,
                () -> call(() -> notificationsApi.listNotifications(null, null, id.toString(), asCustomer)),
                n -> !n.isEmpty(), "notification for " + id);
        assertEquals(NotificationType.ORDER_CONFIRMED, notifications.get(0).getType());

        OrderPage mine = orders.listOrders(null, null, 10, null, asCustomer);
        assertTrue(mine.getItems().stream().anyMatch(o -> id.equals(o.getId())), "the customer's list holds the order: " + mine);
        assertTrue(mine.getItems().stream().allMatch(o -> customer.equals(o.getCustomerId())), "only the customer's own orders: " + mine);

        // Product reads are public: no token at all.
        ProductView stock = products.getProduct(sku, anonymous());
        assertEquals(8, stock.getAvailable());
        assertEquals(0, stock.getReserved());
        AccountView credit = accounts.getAccount(customer, asCustomer);
        assertEquals(0, new BigDecimal("75.00").compareTo(credit.getCredit()));
    }

    private static List<String> header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst().orElse(List.of());
    }

    /**
     * The clients are generated from, and redocly lints, the documents the builds wrote to target/openapi/; this
     * proves those are exactly what the running services serve at /q/openapi.
     */
    @Test
    void servedDocumentsAreTheBuildTimeDocumentsTheClientsCameFrom() throws Exception {
        Path root = Path.of(System.getProperty("shop.root", "..")).toAbsolutePath().normalize();
        for (String svc : ShopSystem.PORTS.keySet()) {
            HttpResponse<String> served = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(ShopSystem.url(svc) + "/q/openapi?format=json")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, served.statusCode(), svc + " /q/openapi");
            JsonNode built = JSON.readTree(Files.readString(root.resolve(svc + "-svc/target/openapi/openapi.json")));
            assertEquals(built, JSON.readTree(served.body()), svc + "-svc serves another document than its build wrote");
        }
    }

    @FunctionalInterface
    interface Probe<T> {
        T get() throws Exception;
    }

    /** For polling: a failed call counts as "not yet". */
    private static <T> T call(Probe<T> probe) {
        try {
            return probe.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
