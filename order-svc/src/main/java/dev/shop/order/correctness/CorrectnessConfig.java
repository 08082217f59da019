package dev.shop.order.correctness;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/** The correctness monitor ({@link CorrectnessMonitor}); the peers' URLs are the ops page's ({@code shop.ops.peers}). */
@ConfigMapping(prefix = "shop.correctness")
public interface CorrectnessConfig {

    /** Off: no checks run and the gauges stay at zero (the monitor's staleness alert then fires). */
    @WithDefault("true")
    boolean enabled();

    /** How often a check runs (on one instance: the holder of the monitor's advisory lock). */
    @WithDefault("60s")
    Duration period();

    /**
     * How long after an order's last change the other services may still be catching up (a
     * notification written after the confirmation, a release after the cancellation). Orders are
     * judged only after it; a PENDING order is a violation once past its saga deadline plus this.
     */
    @WithDefault("60s")
    Duration grace();

    /**
     * How often the whole-table invariants (stock_conserved, reserved_matches_holds, credit_conserved)
     * are recomputed. Each recomputation reads every product and account and sums every hold and
     * authorised payment in the peers' databases, so its cost grows with the data, unlike the per-order
     * checks; while one of them is violated it is rechecked every run, so a repair clears it quickly.
     */
    @WithDefault("10m")
    Duration invariantsPeriod();

    /** Orders changed within this window are re-verified in rolling slices, after the new ones. */
    @WithDefault("24h")
    Duration lookback();

    /** Most orders judged in one run (new ones first, then the re-verification slice). */
    @WithDefault("5000")
    int maxOrdersPerRun();

    /** Orders per request to a peer. */
    @WithDefault("500")
    int batchSize();

    /**
     * File holding the bearer token (operator role) the monitor sends to the peers, read at every
     * run so a rotated token takes effect without a restart. Absent: the monitor checks only what
     * order-svc's own data shows (stuck orders) and reports the peer checks as skipped.
     */
    Optional<String> tokenFile();

    /** Per-request timeout towards a peer. */
    @WithDefault("5s")
    Duration timeout();
}
