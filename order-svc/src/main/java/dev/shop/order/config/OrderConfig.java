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
}
