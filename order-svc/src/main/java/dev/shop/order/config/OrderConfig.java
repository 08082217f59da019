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
