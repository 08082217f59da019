package dev.shop.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the kubelet does in a deployment: probes every instance's liveness ({@code /q/health/live}
 * on the management port) every {@code period} and restarts an instance that answered DOWN
 * {@code failureThreshold} times in a row. An instance that does not answer at all (starting,
 * killed by the nemesis) is not counted: only an explicit DOWN is, as with a startup probe in front.
 */
final class Supervisor implements AutoCloseable {

    record Restart(String instance, LocalTime at, String reason) { }

    private final Instances instances;
    private final Duration period;
    private final int failureThreshold;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Integer> failures = new HashMap<>();
    private final List<Restart> restarts = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    Supervisor(Instances instances, Duration period, int failureThreshold) {
        this.instances = instances;
        this.period = period;
        this.failureThreshold = failureThreshold;
        this.thread = new Thread(this::loop, "liveness-probe");
        this.thread.setDaemon(true);
    }

    Supervisor start() {
        thread.start();
        return this;
    }

    List<Restart> restarts() {
        return List.copyOf(restarts);
    }

    private void loop() {
        while (!stopped) {
            for (String instance : Instances.all()) {
                if (stopped) {
                    return;
                }
                probe(instance);
            }
            Instances.sleep(period.toMillis());
        }
    }

    private void probe(String instance) {
        if (!instances.running(instance)) {
            failures.remove(instance);
            return;
        }
        String body;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (instances.httpPort(instance) + 100) + "/q/health/live"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 503) {
                failures.remove(instance);
                return;
            }
            body = r.body();
        } catch (IOException e) {
            return; // not answering: starting, stopping or killed; not a DOWN
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            return;
        }
        int n = failures.merge(instance, 1, Integer::sum);
        if (n < failureThreshold) {
            return;
        }
        failures.remove(instance);
        String reason = body.replaceAll("\\s+", " ");
        System.out.println("  liveness: " + instance + " DOWN " + n + " times in a row; restarting it (" + reason + ")");
        restarts.add(new Restart(instance, LocalTime.now().truncatedTo(ChronoUnit.SECONDS), reason));
        instances.kill9(instance);
        try {
            instances.start(instance);
        } catch (IOException e) {
            System.out.println("  liveness: restarting " + instance + " failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
