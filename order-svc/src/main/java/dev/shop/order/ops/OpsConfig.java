package dev.shop.order.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** Where the operations page finds the other services' admin APIs (read-only, never on the saga path). */
@ConfigMapping(prefix = "shop.ops")
public interface OpsConfig {

    /** Peer name -> base URL, e.g. {@code inventory -> http://localhost:8082}. */
    Map<String, String> peers();

    @WithDefault("2s")
    Duration timeout();
}
