package dev.shop.eventing.http;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OrderIdsTest {

    private final UUID a = UUID.randomUUID();
    private final UUID b = UUID.randomUUID();

    @Test
    void distinctIdsInRequestOrder() {
        assertEquals(List.of(b, a), List.copyOf(OrderIds.parse(List.of(b.toString(), a.toString(), b.toString().toUpperCase()))));
    }

    @Test
    void theFirstBadElementIsNamedByItsIndex() {
        ProblemException e = assertThrows(ProblemException.class, () -> OrderIds.parse(List.of(a.toString(), "nope", "x")));
        assertEquals(400, e.status());
        assertEquals("orderIds[1]", e.errors().get(0).field());
    }

    @Test
    void nullAndNonCanonicalFormsAreRefused() {
        // UUID.fromString alone would accept "1-1-1-1-1".
        for (String bad : Arrays.asList(null, "1-1-1-1-1", "", a + " ", "{" + a + "}")) {
            assertThrows(ProblemException.class, () -> OrderIds.parse(Arrays.asList(a.toString(), bad)), String.valueOf(bad));
        }
    }
}
