package dev.shop.order.ops;

import dev.shop.eventing.ops.DeadLetter;
import dev.shop.eventing.ops.DeadLetterStore;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The DLQ state of every service for the operations page. The only synchronous calls between
 * services in shop, and only for operators: each peer gets its own guard (timeout, retry with
 * exponential backoff and jitter, circuit breaker, bulkhead), so one slow or dead peer shows as
 * "unavailable" without slowing the page down or piling up requests against it.
 */
@ApplicationScoped
public class PeerDeadLetters {

    @RegisterForReflection
    public record ServiceDeadLetters(String service, boolean available, String error, long pending, List<DeadLetter> deadLetters) {
    }

    private final DeadLetterStore own;
    private final Map<String, DeadLetterApi> clients = new TreeMap<>();
    private final Map<String, TypedGuard<Uni<List<DeadLetter>>>> guards = new TreeMap<>();

    public PeerDeadLetters(DeadLetterStore own, OpsConfig config) {
        this.own = own;
        long timeoutMs = config.timeout().toMillis();
        config.peers().forEach((name, url) -> {
            clients.put(name, QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url))
                    .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS).readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .build(DeadLetterApi.class));
            guards.put(name, TypedGuard.create(new TypeLiteral<Uni<List<DeadLetter>>>() { })
                    .withDescription("dead letters of " + name)
                    .withTimeout().duration(timeoutMs, ChronoUnit.MILLIS).done()
                    .withRetry().maxRetries(2).delay(100, ChronoUnit.MILLIS).jitter(50, ChronoUnit.MILLIS)
                    .withExponentialBackoff().factor(2).maxDelay(1, ChronoUnit.SECONDS).done().done()
                    .withCircuitBreaker().name("ops-" + name).requestVolumeThreshold(4).failureRatio(0.5).delay(10, ChronoUnit.SECONDS).done()
                    .withBulkhead().limit(4).queueSize(8).done()
                    .build());
        });
    }

    /** @param authorization the operator's own bearer token, passed on to each peer (which checks it itself) */
    public Uni<List<ServiceDeadLetters>> all(String authorization) {
        List<Uni<ServiceDeadLetters>> calls = new ArrayList<>();
        calls.add(own.list(Optional.of("PENDING"), 50).map(list -> new ServiceDeadLetters("order", true, null, list.size(), list)));
        clients.forEach((name, client) -> calls.add(guards.get(name).get(() -> client.list("PENDING", 50, authorization))
                .map(list -> new ServiceDeadLetters(name, true, null, list.size(), list))
                .onFailure().recoverWithItem(f -> new ServiceDeadLetters(name, false, f.getClass().getSimpleName()
                        + (f.getMessage() == null ? "" : ": " + f.getMessage()), -1, List.of()))));
        return Uni.join().all(calls).andFailFast();
    }
}
