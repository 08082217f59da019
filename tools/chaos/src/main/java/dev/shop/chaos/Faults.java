package dev.shop.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Carries out the nemesis's schedule: each fault on its own thread, injected at its offset, healed
 * after its hold. Every step is bounded in time; a fault that cannot be injected is recorded as such
 * (and counted), never retried forever.
 */
public final class Faults {

    /** What actually happened for one scheduled fault. */
    public record Injected(Nemesis.Fault fault, Instant start, Instant healed, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private final Instances instances;
    private final Proxies proxies;
    private final Infra infra;
    private final Tokens tokens;
    private final List<Injected> log = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Faults(Instances instances, Proxies proxies, Infra infra, Tokens tokens) {
        this.instances = instances;
        this.proxies = proxies;
        this.infra = infra;
        this.tokens = tokens;
    }

    public List<Injected> injected() {
        synchronized (log) {
            return new ArrayList<>(log);
        }
    }

    /** Runs the whole schedule from {@code t0}; returns when every fault has healed (or gave up). */
    public void run(List<Nemesis.Fault> schedule, long t0Nanos) {
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nemesis");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Nemesis.Fault f : schedule) {
            all.add(CompletableFuture.runAsync(() -> {
                long wait = t0Nanos + TimeUnit.MILLISECONDS.toNanos(f.atMs()) - System.nanoTime();
                if (wait > 0) {
                    Instances.sleep(TimeUnit.NANOSECONDS.toMillis(wait));
                }
                execute(f);
            }, pool));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        } catch (Exception e) {
            System.err.println("nemesis did not finish: " + e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The schedule keeps faults on one resource apart by an estimate; this makes it exact: a fault waits
     * until the previous one on the same resource has healed (a slow broker start, say), then starts.
     */
    private final java.util.Map<String, java.util.concurrent.locks.ReentrantLock> resourceLocks = new java.util.concurrent.ConcurrentHashMap<>();

    private void execute(Nemesis.Fault f) {
        List<java.util.concurrent.locks.ReentrantLock> held = new ArrayList<>();
        for (String r : new java.util.TreeSet<>(Nemesis.resources(f.kind(), f.target()))) {
            java.util.concurrent.locks.ReentrantLock lock = resourceLocks.computeIfAbsent(r, k -> new java.util.concurrent.locks.ReentrantLock());
            lock.lock();
            held.add(lock);
        }
        try {
            inject(f);
        } finally {
            held.forEach(java.util.concurrent.locks.ReentrantLock::unlock);
        }
    }

    private void inject(Nemesis.Fault f) {
        Instant start = Instant.now();
        String error = null;
        System.out.printf("  nemesis %s  (at %s)%n", f.describe(), start.toString().substring(11, 19));
        try {
            switch (f.kind()) {
                case KILL9 -> {
                    instances.kill9(f.target());
                    Instances.sleep(f.holdMs());
                    restart(f.target());
                }
                case SIGTERM -> {
                    instances.stop(f.target());
                    Instances.sleep(f.holdMs());
                    restart(f.target());
                }
                case BROKER_STOP_APP -> {
                    infra.brokerStopApp();
                    Instances.sleep(f.holdMs());
                    infra.brokerStartApp();
                }
                case BROKER_KILL -> {
                    infra.brokerKill();
                    Instances.sleep(f.holdMs());
                    infra.brokerStart();
                }
                case PG_RESTART -> {
                    infra.pgStopImmediate();
                    Instances.sleep(f.holdMs());
                    infra.pgStart();
                }
                case POOL_SPIKE -> poolSpike(f.target(), f.holdMs());
                case LATENCY -> {
                    proxies.latency(f.target(), 150, 100);
                    Instances.sleep(f.holdMs());
                    proxies.heal(f.target());
                }
                case BANDWIDTH -> {
                    proxies.bandwidth(f.target(), 16 * 1024);
                    Instances.sleep(f.holdMs());
                    proxies.heal(f.target());
                }
                case RESET -> proxies.reset(f.target());
                case BLACKHOLE -> {
                    proxies.blackhole(f.target());
                    Instances.sleep(f.holdMs());
                    proxies.heal(f.target());
                }
                case SLOW_CONSUMER -> {
                    // Every database round trip of both instances of the consumer takes ~100 ms more: a handler
                    // batch that took milliseconds takes a second, and the queue backs up behind it.
                    for (String link : Nemesis.resources(f.kind(), f.target())) {
                        proxies.latency(link, 100, 20);
                    }
                    Instances.sleep(f.holdMs());
                    for (String link : Nemesis.resources(f.kind(), f.target())) {
                        proxies.heal(link);
                    }
                }
            }
        } catch (RuntimeException | java.io.IOException e) {
            error = e.toString();
            System.out.printf("  nemesis #%02d failed: %s%n", f.index(), error);
        }
        Instant healed = Instant.now();
        System.out.printf("  nemesis #%02d healed after %.1f s%n", f.index(), java.time.Duration.between(start, healed).toMillis() / 1000.0);
        log.add(new Injected(f, start, healed, error));
    }

    /**
     * Like a supervisor (systemd, the kubelet): a process that exits while starting (say Flyway found the
     * database down) is started again, at most 6 times within 3 minutes.
     */
    private void restart(String instance) throws java.io.IOException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        for (int attempt = 1; attempt <= 6 && System.nanoTime() < end; attempt++) {
            instances.start(instance);
            if (instances.awaitReady(instance, Duration.ofNanos(Math.max(0, end - System.nanoTime())))) {
                return;
            }
            if (instances.running(instance)) {
                break; // up but not ready: reported below
            }
            System.out.printf("  %s exited while starting (attempt %d); starting it again%n", instance, attempt);
            Instances.sleep(2000);
        }
        throw new IllegalStateException(instance + " not ready after its restart; see " + instances.log(instance));
    }

    /** 80 concurrent, repeated list reads (each a database query) against one instance for the hold. */
    private void poolSpike(String instance, long holdMs) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(holdMs);
        String url = instances.url(instance) + "/api/v1/orders?limit=100";
        String auth = "Bearer " + tokens.operator();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(80);
        for (int i = 0; i < 80; i++) {
            workers.add(CompletableFuture.runAsync(() -> {
                while (System.nanoTime() < end) {
                    try {
                        http.send(HttpRequest.newBuilder(URI.create(url)).header("authorization", auth).timeout(Duration.ofSeconds(5)).build(),
                                HttpResponse.BodyHandlers.discarding());
                    } catch (Exception e) {
                        Instances.sleep(100);
                    }
                }
            }, threads));
        }
        CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).orTimeout(holdMs + 20_000, TimeUnit.MILLISECONDS).exceptionally(t -> null).join();
        threads.shutdownNow();
    }
}
