package dev.shop.order.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "shop.order")
public interface OrderConfig {

    /** A PENDING order older than this is cancelled with TIMEOUT. */
    @WithDefault("30s")
    Duration sagaTimeout();

    @WithDefault("1s")
    Duration timeoutSweepInterval();

    @WithDefault("100")
    int timeoutSweepBatch();

    Admission admission();

    RateLimit rateLimit();

    /** Per-customer rate limit on placing orders (see {@code dev.shop.order.api.PlacementRateLimit}). */
    interface RateLimit {
        /** Burst: placements a customer may make at once. 0 turns the limit off. */
        @WithDefault("20")
        int capacity();

        /** Sustained placements per second per customer (the bucket refills at this rate). */
        @WithDefault("5")
        double perSecond();

        /** At most this many customers' buckets are kept in memory (least recently used are dropped). */
        @WithDefault("100000")
        long maxTrackedSubjects();
    }

    /** Load shedding at the front door (see {@code Admission}). */
    interface Admission {
        /** More PENDING orders than this, older than {@link #overdueAfter()}, and placements get 503. 0 turns shedding off. */
        @WithDefault("200")
        int maxOverdue();

        /** How long a PENDING order may wait before it counts as overdue (well under the saga timeout). */
        @WithDefault("10s")
        Duration overdueAfter();

        /** How often the overdue count is refreshed (one indexed count query). */
        @WithDefault("1s")
        Duration refreshInterval();
    }
}
