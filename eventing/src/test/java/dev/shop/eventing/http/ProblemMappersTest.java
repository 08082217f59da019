package dev.shop.eventing.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class ProblemMappersTest {

    @Test
    void jacksonMessagesLoseTheirJavaPackageNames() {
        String cleaned = ProblemMappers.withoutInternals(
                "Cannot deserialize value of type `java.lang.Integer` from String \"many\": not a valid `java.lang.Integer` value");
        assertEquals("Cannot deserialize value of type Integer from String \"many\": not a valid Integer value", cleaned);
        String record = ProblemMappers.withoutInternals("Cannot construct instance of `dev.shop.order.api.PlaceOrderRequest$Line`");
        assertFalse(record.contains("dev.shop"), record);
        assertEquals("Cannot construct instance of PlaceOrderRequest.Line", record);
    }

    @Test
    void causeClassNamesAreDropped() {
        String cleaned = ProblemMappers.withoutInternals("Cannot deserialize value of type `java.time.OffsetDateTime` from String \"fuzz\": "
                + "Failed to deserialize java.time.OffsetDateTime: (java.time.format.DateTimeParseException) Text 'fuzz' could not be parsed at index 0");
        assertEquals("Cannot deserialize value of type OffsetDateTime from String \"fuzz\": Failed to deserialize OffsetDateTime: "
                + "Text 'fuzz' could not be parsed at index 0", cleaned);
    }

    @Test
    void plainParserMessagesStayAndLongOnesAreCut() {
        assertEquals("Unexpected end-of-input", ProblemMappers.withoutInternals("Unexpected end-of-input"));
        assertEquals(303, ProblemMappers.withoutInternals("x".repeat(1000)).length());
        assertEquals("unreadable", ProblemMappers.withoutInternals(null));
    }
}
