package dev.shop.notification.callback;

import dev.shop.eventing.http.OutboundUrlPolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.util.TypeLiteral;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes finished orders to their callback URLs, off the saga path: the consumer only stores a
 * {@code callback_delivery} row; this dispatcher claims due rows and calls the targets.
 *
 * <p>Every target host has its own guard: timeout, a few immediate retries with exponential
 * backoff and jitter, a circuit breaker and a bulkhead. A slow or dead host therefore costs at most
 * its own bulkhead, never the other hosts or the event consumers. A delivery that still fails is
 * rescheduled with a growing, jittered delay and stays PENDING until it is accepted: never lost.
 * Delivery is at least once; receivers deduplicate by {@code X-Shop-Delivery-Id}.
 */
@ApplicationScoped
public class CallbackDispatcher {

    private static final Logger LOG = Logger.getLogger(CallbackDispatcher.class);
    /** A claimed row is invisible to other claims for this long (one attempt cannot take longer). */
    private static final long LEASE_SECONDS = 120;

    static final class TargetFailed extends RuntimeException {
        TargetFailed(String message) {
            super(message, null, false, false);
        }
    }

    private final Pool pool;
    private final CallbackConfig config;
    private final MeterRegistry registry;
    private final HttpClient http;
    private final Map<String, TypedGuard<Uni<Integer>>> guards = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreakerState> circuits = new ConcurrentHashMap<>();
    private final AtomicLong pending = new AtomicLong();

    public CallbackDispatcher(Pool pool, Vertx vertx, CallbackConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.config = config;
        this.registry = registry;
        int timeoutMs = (int) config.timeout().toMillis();
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeoutMs).setMaxPoolSize(64)
                .setKeepAlive(true));
        Gauge.builder("shop.callback.pending", pending, AtomicLong::get)
                .description("Callback deliveries not yet accepted by their target").register(registry);
    }

    void stop(@Observes ShutdownEvent event) {
        http.closeAndForget();
    }

    /** Circuit state per target host (for health data and the admin view). */
    public Map<String, CircuitBreakerState> circuits() {
        return Map.copyOf(circuits);
    }

    @Scheduled(every = "${shop.callbacks.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> dispatchDue() {
        return claim().flatMap(claimed -> {
            List<Uni<Void>> calls = new ArrayList<>();
            for (Row row : claimed) {
                calls.add(deliver(row.getUUID("id"), row.getString("url"), row.getString("payload"), row.getInteger("attempts")));
            }
            return calls.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(calls).andCollectFailures().replaceWithVoid();
        }).call(this::refreshPending).onFailure().invoke(f -> LOG.warnf("callback dispatch round failed: %s", f.toString()))
                .onFailure().recoverWithNull();
    }

    private Uni<io.vertx.mutiny.sqlclient.RowSet<Row>> claim() {
        return pool.preparedQuery("""
                update callback_delivery set next_attempt_at = now() + make_interval(secs => $2), attempts = attempts + 1
                where id in (select id from callback_delivery where status = 'PENDING' and next_attempt_at <= now()
                             order by next_attempt_at limit $1 for update skip locked)
                returning id, url, payload, attempts""").execute(Tuple.of(config.batch(), (double) LEASE_SECONDS));
    }

    private Uni<Void> deliver(UUID id, String url, String payload, int attempt) {
        var refusal = OutboundUrlPolicy.refusal(url, config.allowPrivate()); // re-checked: DNS may have changed
        if (refusal.isPresent()) {
            return finish(id, "REJECTED", "callbackUrl " + refusal.get(), "rejected");
        }
        String host = URI.create(url).getHost();
        return guard(host).get(() -> post(id, url, payload))
                .flatMap(status -> finish(id, "DELIVERED", null, "delivered"))
                .onFailure().recoverWithUni(f -> reschedule(id, attempt, f));
    }

    private Uni<Integer> post(UUID id, String url, String payload) {
        long timestamp = Instant.now().getEpochSecond();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                .setTimeout(config.timeout().toMillis())
                .addHeader("Content-Type", "application/json")
                .addHeader(CallbackSigner.DELIVERY_ID, id.toString())
                .addHeader(CallbackSigner.TIMESTAMP, Long.toString(timestamp))
                .addHeader(CallbackSigner.SIGNATURE, CallbackSigner.sign(config.secret(), timestamp, payload));
        return http.request(options)
                .flatMap(request -> request.send(Buffer.buffer(payload)))
                .flatMap(response -> response.body().map(ignored -> response.statusCode()))
                .map(status -> {
                    if (status < 200 || status >= 300) {
                        throw new TargetFailed("target answered " + status);
                    }
                    return status;
                });
    }

    private TypedGuard<Uni<Integer>> guard(String host) {
        return guards.computeIfAbsent(host, h -> TypedGuard.create(new TypeLiteral<Uni<Integer>>() { })
                .withDescription("callbacks to " + h)
                .withTimeout().duration(config.timeout().toMillis(), ChronoUnit.MILLIS).done()
                .withRetry().maxRetries(config.retries()).delay(100, ChronoUnit.MILLIS).jitter(50, ChronoUnit.MILLIS)
                .withExponentialBackoff().factor(2).maxDelay(2, ChronoUnit.SECONDS).done().done()
                .withCircuitBreaker().name("callback-" + h).requestVolumeThreshold(4).failureRatio(0.5).successThreshold(1)
                .delay(config.circuitDelay().toMillis(), ChronoUnit.MILLIS)
                .onStateChange(state -> {
                    circuits.put(h, state);
                    LOG.infof("callback circuit for %s is now %s", h, state);
                }).done()
                .withBulkhead().limit(config.bulkhead()).queueSize(config.bulkhead() * 4).done()
                .build());
    }

    private Uni<Void> reschedule(UUID id, int attempt, Throwable failure) {
        long base = Math.min(config.redeliveryMax().toMillis(),
                config.redeliveryInitial().toMillis() * (1L << Math.min(20, Math.max(0, attempt - 1))));
        long delayMs = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1); // "equal jitter"
        String error = failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        registry.counter("shop.callback.deliveries", "outcome", "failed").increment();
        LOG.debugf("callback %s attempt %d failed (%s); next in %d ms", id, attempt, error, delayMs);
        return pool.preparedQuery("update callback_delivery set next_attempt_at = now() + make_interval(secs => $2), last_error = $3 "
                        + "where id = $1 and status = 'PENDING'")
                .execute(Tuple.of(id, delayMs / 1000.0, error.length() > 500 ? error.substring(0, 500) : error)).replaceWithVoid();
    }

    private Uni<Void> finish(UUID id, String status, String error, String outcome) {
        registry.counter("shop.callback.deliveries", "outcome", outcome).increment();
        return pool.preparedQuery("update callback_delivery set status = $2, last_error = $3, "
                        + "delivered_at = case when $2 = 'DELIVERED' then now() else null end where id = $1")
                .execute(Tuple.of(id, status, error)).replaceWithVoid();
    }

    private Uni<Void> refreshPending() {
        return pool.query("select count(*) as n from callback_delivery where status = 'PENDING'").execute()
                .invoke(rows -> pending.set(rows.iterator().next().getLong("n"))).replaceWithVoid();
    }
}
