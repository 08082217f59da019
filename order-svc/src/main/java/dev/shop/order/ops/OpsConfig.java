package dev.shop.order.ops;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Where the operations page finds the other services' admin APIs and Prometheus (read-only, never on the saga path). */
@ConfigMapping(prefix = "shop.ops")
public interface OpsConfig {

    /** Peer name -> base URL, e.g. {@code inventory -> http://localhost:8082}. */
    Map<String, String> peers();

    @WithDefault("2s")
    Duration timeout();

    /** The Prometheus behind the page's charts and alerts ({@link OpsPrometheus}); absent: they answer 503. */
    Optional<String> prometheusUrl();

    @WithDefault("3s")
    Duration prometheusTimeout();

    /** Finest chart resolution: a chart has about 300 points, never closer together than this. */
    @WithDefault("5s")
    Duration prometheusMinStep();
}
