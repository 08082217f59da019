package dev.shop.chaos;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open-loop load: order n is sent at {@code n / rate} seconds whatever the system does, round robin
 * over both order-svc instances, with a customer token and an Idempotency-Key. A request whose
 * outcome is unknown (connection refused or reset, timeout, 5xx other than 503) is retried with the
 * same key on the other instance, at most 3 times, as a careful client would: the order is then
 * placed once or not at all. 503 is load shedding: refused, nothing placed, counted as shed.
 */
public final class LoadDriver {

    public enum Outcome { ACCEPTED, SHED, REFUSED, UNKNOWN }

    /** What the client learnt about order n. {@code id} is set when accepted. */
    public record Placement(int n, Outcome outcome, String id, int status, int attempts, Instant sentAt, String customer, String sku, int quantity,
                            boolean callback) {
    }

    private final Options options;
    private final List<String> orderUrls;
    private final Tokens tokens;
    private final String run;
    private final String callbackUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).executor(Executors.newFixedThreadPool(16)).build();
    private final Map<Integer, Placement> placements = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();

    public LoadDriver(Options options, List<String> orderUrls, Tokens tokens, String run, String callbackUrl) {
        this.options = options;
        this.orderUrls = orderUrls;
        this.tokens = tokens;
        this.run = run;
        this.callbackUrl = callbackUrl;
    }

    public String customer(int c) {
        return "chaos-" + run + "-c" + c;
    }

    public String sku(int s) {
        return "CHAOS-" + run + "-" + s;
    }

    public Map<Integer, Placement> placements() {
        return placements;
    }

    public int sent() {
        return sent.get();
    }

    /** Starts sending; returns at once. The choice of customer, SKU and quantity is seeded too. */
    public ScheduledExecutorService start(long seed) {
        Random random = new Random(seed ^ 0x5eedL);
        int total = options.orders();
        String[] customers = new String[total];
        String[] skus = new String[total];
        int[] quantities = new int[total];
        for (int n = 0; n < total; n++) {
            customers[n] = customer(random.nextInt(options.customers()));
            skus[n] = sku(random.nextInt(options.skus()));
            quantities[n] = 1 + random.nextInt(3);
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        long period = (long) (1_000_000_000L / options.rate());
        ticker.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            place(n, customers[n], skus[n], quantities[n], n % 5 == 0, 1, Instant.now());
        }, 0, period, TimeUnit.NANOSECONDS);
        return ticker;
    }

    private void place(int n, String customer, String sku, int quantity, boolean callback, int attempt, Instant firstSent) {
        String url = orderUrls.get((n + attempt - 1) % orderUrls.size()) + "/api/v1/orders";
        String body = "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}]"
                + (callback ? ",\"callbackUrl\":\"" + callbackUrl + "\"" : "") + "}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + tokens.customer(customer))
                .header("content-type", "application/json")
                .header("idempotency-key", "chaos-" + run + "-" + n)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((res, err) -> {
            if (err == null && res.statusCode() == 202) {
                String id = null;
                try {
                    JsonNode o = Infra.JSON.readTree(res.body());
                    id = o.path("id").asText(null);
                } catch (IOException e) {
                    // handled below: no id
                }
                placements.put(n, new Placement(n, id == null ? Outcome.UNKNOWN : Outcome.ACCEPTED, id, 202, attempt, firstSent, customer, sku, quantity, callback));
            } else if (err == null && res.statusCode() == 503) {
                placements.put(n, new Placement(n, Outcome.SHED, null, 503, attempt, firstSent, customer, sku, quantity, callback));
            } else if (err == null && res.statusCode() < 500) {
                placements.put(n, new Placement(n, Outcome.REFUSED, null, res.statusCode(), attempt, firstSent, customer, sku, quantity, callback));
            } else if (attempt < 3) {
                CompletableFutureDelay.run(1000L * attempt, () -> place(n, customer, sku, quantity, callback, attempt + 1, firstSent));
            } else {
                placements.put(n, new Placement(n, Outcome.UNKNOWN, null, err == null ? res.statusCode() : -1, attempt, firstSent, customer, sku, quantity, callback));
            }
        });
    }

    /** True when every order was sent and has a final client-side outcome. */
    public boolean finished() {
        return sent.get() >= options.orders() && placements.size() >= options.orders();
    }

    /** Bounded: waits at most {@code timeout} for outstanding requests (each has a 10 s timeout, 3 attempts). */
    public void awaitFinished(Duration timeout) {
        Infra.awaitTrue(timeout, this::finished);
    }

    private static final class CompletableFutureDelay {
        private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retry-timer");
            t.setDaemon(true);
            return t;
        });

        static void run(long delayMs, Runnable r) {
            TIMER.schedule(r, delayMs, TimeUnit.MILLISECONDS);
        }
    }
}
