package dev.shop.order.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.shop.eventing.http.ProblemException;
import dev.shop.order.config.OrderConfig;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * Per-customer token bucket on {@code POST /api/v1/orders} (Bucket4j). It stops one customer from
 * flooding the saga; load shedding ({@code Admission}) protects the system from all of them together.
 * Buckets live in this instance's memory: with N replicas a customer gets up to N times the limit,
 * which is acceptable for abuse protection (a shared limit would need a distributed Bucket4j backend).
 */
@ApplicationScoped
public class PlacementRateLimit {

    /** What the response should say about the caller's budget (RateLimit-* headers). */
    public record Budget(long limit, long remaining, long resetSeconds) {
    }

    private final OrderConfig.RateLimit config;
    private final Cache<String, Bucket> buckets;
    private final Counter limited;

    public PlacementRateLimit(OrderConfig config, MeterRegistry registry) {
        this.config = config.rateLimit();
        // A bucket idle for longer than a full refill is full again: dropping it loses nothing.
        long refillSeconds = (long) Math.ceil(Math.max(1, this.config.capacity()) / Math.max(0.001, this.config.perSecond()));
        this.buckets = Caffeine.newBuilder().maximumSize(this.config.maxTrackedSubjects())
                .expireAfterAccess(Duration.ofSeconds(refillSeconds + 1)).build();
        this.limited = Counter.builder("shop.orders.rate.limited").description("Placements refused with 429 (per-customer rate limit)")
                .register(registry);
    }

    /**
     * Takes one token for {@code subject}.
     * @throws ProblemException 429 with Retry-After when the customer is over its limit
     */
    public Budget take(String subject) {
        if (config.capacity() <= 0) {
            return null;
        }
        ConsumptionProbe probe = buckets.get(subject, s -> newBucket()).tryConsumeAndReturnRemaining(1);
        long resetSeconds = Math.max(1, (long) Math.ceil(probe.getNanosToWaitForReset() / 1e9));
        if (!probe.isConsumed()) {
            limited.increment();
            int retryAfter = (int) Math.max(1, Math.ceil(probe.getNanosToWaitForRefill() / 1e9));
            throw ProblemException.tooManyRequests("more than " + config.capacity() + " orders at once or "
                    + config.perSecond() + " per second; nothing was placed, retry after " + retryAfter + " s", retryAfter)
                    .withHeader("RateLimit-Limit", String.valueOf(config.capacity()))
                    .withHeader("RateLimit-Remaining", "0")
                    .withHeader("RateLimit-Reset", String.valueOf(retryAfter));
        }
        return new Budget(config.capacity(), probe.getRemainingTokens(), resetSeconds);
    }

    private Bucket newBucket() {
        long periodNanos = Math.max(1, (long) (1e9 / config.perSecond()));
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(config.capacity()).refillGreedy(1, Duration.ofNanos(periodNanos)).build())
                .build();
    }
}
