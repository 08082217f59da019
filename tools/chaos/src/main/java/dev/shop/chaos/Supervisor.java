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
 * What the kubelet does with the chart's probes (helm/shop/values.yaml): after every start of an
 * instance, the startup probe ({@code /q/health/started}, which includes the broker receivers' first
 * attach) every {@code period}, restarting the instance after {@code startupThreshold} failures; once
 * started, the liveness probe ({@code /q/health/live}), restarting it after {@code failureThreshold}
 * DOWN answers in a row. An instance that does not answer at all (killed or stopped by the nemesis) is
 * not counted: only an explicit DOWN is.
 */
final class Supervisor implements AutoCloseable {

    record Restart(String instance, LocalTime at, String probe) { }

    private final Instances instances;
    private final Duration period;
    private final int failureThreshold;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int startupThreshold;
    private final Map<String, Integer> failures = new HashMap<>();
    /** instance -> pid of the process that passed its startup probe. */
    private final Map<String, Long> started = new HashMap<>();
    private final List<Restart> restarts = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    Supervisor(Instances instances, Duration period, int startupThreshold, int failureThreshold) {
        this.instances = instances;
        this.period = period;
        this.startupThreshold = startupThreshold;
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
        long pid = instances.pid(instance);
        if (pid < 0) {
            failures.remove(instance);
            return;
        }
        boolean isStarted = started.getOrDefault(instance, -1L) == pid;
        String probe = isStarted ? "liveness" : "startup";
        String body;
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (instances.httpPort(instance) + 100)
                            + (isStarted ? "/q/health/live" : "/q/health/started")))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                failures.remove(instance);
                started.put(instance, pid);
                return;
            }
            body = r.body();
        } catch (IOException e) {
            if (isStarted) {
                return; // not answering: stopping or killed; not a DOWN
            }
            body = "not answering: " + e; // still starting: counts against the startup probe, as for the kubelet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            return;
        }
        int n = failures.merge(instance, 1, Integer::sum);
        if (n < (isStarted ? failureThreshold : startupThreshold)) {
            return;
        }
        failures.remove(instance);
        String reason = body.replaceAll("\\s+", " ");
        System.out.println("  " + probe + ": " + instance + " failed " + n + " times in a row; restarting it (" + reason + ")");
        restarts.add(new Restart(instance, LocalTime.now().truncatedTo(ChronoUnit.SECONDS), probe));
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
