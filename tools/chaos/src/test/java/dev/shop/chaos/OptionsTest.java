package dev.shop.chaos;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptionsTest {

    @Test
    void defaultsAreAShortRunOfEveryFault() {
        Options o = Options.parse();
        assertEquals(1000, o.orders());
        assertEquals(EnumSet.allOf(FaultKind.class), o.faults());
        assertEquals("shop-chaos", o.vhost());
        assertEquals("shop_billing_chaos", o.database("billing"));
        assertEquals(Duration.ofSeconds(125), o.loadDuration());
    }

    @Test
    void parsesEveryOption() {
        Options o = Options.parse("--orders", "10000", "--rate", "10", "--seed", "7", "--faults", "kill9,blackhole", "--saga-timeout", "20s",
                "--pg", "127.0.0.1:5433", "--amqp", "localhost:5673", "--base-port", "30000");
        assertEquals(7, o.seed());
        assertEquals(EnumSet.of(FaultKind.KILL9, FaultKind.BLACKHOLE), o.faults());
        assertEquals(Duration.ofSeconds(20), o.sagaTimeout());
        assertEquals(5433, o.pgPort());
        assertEquals(5673, o.amqpPort());
        assertEquals(Duration.ofSeconds(1000), o.loadDuration());
        assertEquals(31003, Instances.amqpProxyPort(o, "billing-0"));
        assertEquals(32014, Instances.pgProxyPort(o, "notification-1"));
    }

    @Test
    void refusesWhatItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--faults", "meteor"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--orders"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--env", "dev"));
        assertTrue(Options.parse("--help").help());
    }
}
