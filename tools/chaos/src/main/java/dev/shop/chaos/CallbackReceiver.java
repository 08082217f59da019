package dev.shop.chaos;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The customers' callback endpoint (orders carry {@code callbackUrl} to it): records every POST by
 * its {@code X-Shop-Delivery-Id} and the order id in its body, and answers 204. At-least-once
 * delivery may repeat an id; the checker fails an order received under two different ids.
 */
public final class CallbackReceiver implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, List<String>> received = new HashMap<>();

    public CallbackReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/callback", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("X-Shop-Delivery-Id");
            String orderId = null;
            try {
                orderId = Infra.JSON.readTree(body).path("orderId").asText(null);
            } catch (IOException e) {
                // recorded without an order id: the checker then misses it for its order
            }
            synchronized (received) {
                received.computeIfAbsent(String.valueOf(id), k -> new ArrayList<>()).add(String.valueOf(orderId));
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/callback";
    }

    public Map<String, List<String>> received() {
        synchronized (received) {
            Map<String, List<String>> copy = new HashMap<>();
            received.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
            return copy;
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
