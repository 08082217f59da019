package dev.shop.system;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The four services' REST APIs through the Java clients that openapi-generator builds from each service's
 * own OpenAPI document (java, library native; see system-tests/pom.xml). Each service's client lives in its
 * own package ({@code dev.shop.client.<svc>}), so each has its own ApiException and ApiResponse types; the
 * adapters here turn any of them into one {@link Outcome}, so that a test can treat a refusal and a
 * success alike: the status, the headers and the body as the client received them.
 */
final class Clients {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Clients() {
    }

    static dev.shop.client.order.ApiClient order() {
        return new dev.shop.client.order.ApiClient(http(), dev.shop.client.order.ApiClient.createDefaultObjectMapper(),
                ShopSystem.url("order")).setReadTimeout(TIMEOUT);
    }

    static dev.shop.client.inventory.ApiClient inventory() {
        return new dev.shop.client.inventory.ApiClient(http(), dev.shop.client.inventory.ApiClient.createDefaultObjectMapper(),
                ShopSystem.url("inventory")).setReadTimeout(TIMEOUT);
    }

    static dev.shop.client.billing.ApiClient billing() {
        return new dev.shop.client.billing.ApiClient(http(), dev.shop.client.billing.ApiClient.createDefaultObjectMapper(),
                ShopSystem.url("billing")).setReadTimeout(TIMEOUT);
    }

    static dev.shop.client.notification.ApiClient notification() {
        return new dev.shop.client.notification.ApiClient(http(), dev.shop.client.notification.ApiClient.createDefaultObjectMapper(),
                ShopSystem.url("notification")).setReadTimeout(TIMEOUT);
    }

    private static HttpClient.Builder http() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
    }

    /** The per-call headers that carry {@code token} (the generated operations take extra headers as their last argument). */
    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    /** No Authorization header at all. */
    static Map<String, String> anonymous() {
        return Map.of();
    }

    /** What one call answered: a 2xx's typed {@code data}, or a refusal's raw {@code body}. */
    record Outcome(int status, Map<String, List<String>> headers, Object data, String body) {

        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        @Override
        public String toString() {
            return status + " " + (body != null ? body : String.valueOf(data));
        }
    }

    /** One operation called through a generated client with the given extra headers. */
    @FunctionalInterface
    interface Call {
        Outcome send(Map<String, String> headers);
    }

    @FunctionalInterface
    interface OrderCall {
        dev.shop.client.order.ApiResponse<?> send(Map<String, String> headers) throws dev.shop.client.order.ApiException;
    }

    @FunctionalInterface
    interface InventoryCall {
        dev.shop.client.inventory.ApiResponse<?> send(Map<String, String> headers) throws dev.shop.client.inventory.ApiException;
    }

    @FunctionalInterface
    interface BillingCall {
        dev.shop.client.billing.ApiResponse<?> send(Map<String, String> headers) throws dev.shop.client.billing.ApiException;
    }

    @FunctionalInterface
    interface NotificationCall {
        dev.shop.client.notification.ApiResponse<?> send(Map<String, String> headers) throws dev.shop.client.notification.ApiException;
    }

    static Call order(OrderCall call) {
        return headers -> {
            try {
                var r = call.send(headers);
                return new Outcome(r.getStatusCode(), copy(r.getHeaders()), r.getData(), null);
            } catch (dev.shop.client.order.ApiException e) {
                return refusal(e.getCode(), e.getResponseHeaders(), e.getResponseBody(), e);
            }
        };
    }

    static Call inventory(InventoryCall call) {
        return headers -> {
            try {
                var r = call.send(headers);
                return new Outcome(r.getStatusCode(), copy(r.getHeaders()), r.getData(), null);
            } catch (dev.shop.client.inventory.ApiException e) {
                return refusal(e.getCode(), e.getResponseHeaders(), e.getResponseBody(), e);
            }
        };
    }

    static Call billing(BillingCall call) {
        return headers -> {
            try {
                var r = call.send(headers);
                return new Outcome(r.getStatusCode(), copy(r.getHeaders()), r.getData(), null);
            } catch (dev.shop.client.billing.ApiException e) {
                return refusal(e.getCode(), e.getResponseHeaders(), e.getResponseBody(), e);
            }
        };
    }

    static Call notification(NotificationCall call) {
        return headers -> {
            try {
                var r = call.send(headers);
                return new Outcome(r.getStatusCode(), copy(r.getHeaders()), r.getData(), null);
            } catch (dev.shop.client.notification.ApiException e) {
                return refusal(e.getCode(), e.getResponseHeaders(), e.getResponseBody(), e);
            }
        };
    }

    /** A non-2xx answer; code 0 means the client got no HTTP answer at all (I/O error), which no test expects. */
    private static Outcome refusal(int code, java.net.http.HttpHeaders headers, String body, Exception e) {
        if (code == 0) {
            throw new IllegalStateException("no HTTP answer: " + e.getMessage(), e);
        }
        return new Outcome(code, headers == null ? Map.of() : copy(headers.map()), null, body);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
        return headers == null ? Map.of() : new LinkedHashMap<>(headers);
    }
}
