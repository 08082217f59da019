package dev.shop.floor;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FloorOptionsTest {

    @Test
    void defaultsMeasureThirtyAndSixtyOrdersASecondForAMinuteEach() {
        Floor.Options o = Floor.Options.parse();
        assertEquals(List.of(30, 60), o.rates());
        assertEquals(60, o.seconds());
        assertEquals(32, o.batch());
        assertEquals("shop-floor", o.vhost());
        assertEquals("shop_floor", o.database());
    }

    @Test
    void optionsAreRead() {
        Floor.Options o = Floor.Options.parse("--rates", "30, 90", "--duration", "5", "--warmup", "0", "--batch", "1", "--keep",
                "--compare", "x.tsv", "--database", "shop_floor_test");
        assertEquals(List.of(30, 90), o.rates());
        assertEquals(5, o.seconds());
        assertEquals(0, o.warmup());
        assertEquals(1, o.batch());
        assertTrue(o.keep());
        assertEquals(Path.of("x.tsv"), o.compare());
    }

    @Test
    void anUnknownOptionOrAMissingValueSaysWhatToDo() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Floor.Options.parse("--rate", "30")).getMessage().contains("--help"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Floor.Options.parse("--rates")).getMessage().contains("needs a value"));
    }

    @Test
    void aDatabaseNameThatWouldNeedQuotingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Floor.Options.parse("--database", "x\"; drop"));
    }

    @Test
    void eventsHaveShopsDeterministicIdsAndEnvelope() {
        var order = java.util.UUID.randomUUID();
        assertEquals(Events.id("order.placed", order), Events.id("order.placed", order));
        String ce = Events.cloudEvent("order.placed", order, Events.traceparent(), Events.data("order.placed", order, "c", "s", java.time.Instant.now()));
        assertTrue(ce.contains("\"source\":\"/order-svc\"") && ce.contains("\"subject\":\"" + order + "\"") && ce.contains("\"dataschema\":\"urn:shop:schema:order.placed:v1\""), ce);
        assertEquals(55, Events.traceparent().length());
    }
}
