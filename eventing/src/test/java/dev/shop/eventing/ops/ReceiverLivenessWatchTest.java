package dev.shop.eventing.ops;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The liveness decision behind {@link ReceiverLiveness} (found by ./shop chaos --seed 2). */
class ReceiverLivenessWatchTest {

    private static final Instant T0 = Instant.parse("2026-12-01T07:00:00Z");
    private final ReceiverLiveness.Watch watch = new ReceiverLiveness.Watch(List.of("in", "dlq-in"), Duration.ofSeconds(60));

    private void at(int seconds, boolean in, boolean dlqIn, boolean out) {
        watch.observe(Map.of("in", in, "dlq-in", dlqIn, "out", out), T0.plusSeconds(seconds));
    }

    @Test
    void seed2AReceiverThatNeverReattachesWhileTheBrokerIsReachableIsStuckAfterTheGrace() {
        at(0, true, true, true);
        at(10, false, false, false); // broker blip: everything down
        at(15, false, true, true);   // the others came back, "in" did not
        assertEquals(List.of(), watch.stuck(T0.plusSeconds(69)));
        at(70, false, true, true);
        assertEquals(List.of("in"), watch.stuck(T0.plusSeconds(70)));
        at(80, true, true, true);    // a restart re-attached it
        assertEquals(List.of(), watch.stuck(T0.plusSeconds(80)));
    }

    @Test
    void aBrokerOutageDoesNotCountAsStuckHoweverLongItLasts() {
        at(0, true, true, true);
        at(10, false, false, false);
        at(600, false, false, false);
        assertEquals(List.of(), watch.stuck(T0.plusSeconds(600)));
    }

    @Test
    void theBrokerMustHaveBeenBackForHalfTheGraceBeforeAReceiverIsBlamed() {
        at(0, false, false, false);
        at(100, false, true, true); // others just came back: give "in" time to re-attach
        assertEquals(List.of(), watch.stuck(T0.plusSeconds(120)));
        at(130, false, true, true);
        assertEquals(List.of("in"), watch.stuck(T0.plusSeconds(130)));
    }
}
