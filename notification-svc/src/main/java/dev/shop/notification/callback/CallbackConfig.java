package dev.shop.notification.callback;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Callback delivery: signing, SSRF policy and the fault-tolerance budget per target host. */
@ConfigMapping(prefix = "shop.callbacks")
public interface CallbackConfig {

    /** HMAC-SHA256 key for X-Shop-Signature. Set a real secret in every deployed environment. */
    String secret();

    /** Allow loopback/private/link-local targets (local development and tests only). */
    @WithDefault("false")
    boolean allowPrivate();

    /** Per attempt. */
    @WithDefault("2s")
    Duration timeout();

    /** Immediate retries (exponential backoff with jitter) before the delivery is rescheduled. */
    @WithDefault("2")
    int retries();

    /** How long a host's open circuit rejects calls before a trial call. */
    @WithDefault("10s")
    Duration circuitDelay();

    /** Concurrent calls per host; more wait in a bounded queue, beyond that they are rescheduled. */
    @WithDefault("4")
    int bulkhead();

    /** Backoff between rescheduled deliveries: initial, doubling with jitter, capped. */
    @WithDefault("1s")
    Duration redeliveryInitial();

    @WithDefault("5m")
    Duration redeliveryMax();

    @WithDefault("500ms")
    Duration pollInterval();

    @WithDefault("50")
    int batch();
}
