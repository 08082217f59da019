package dev.shop.eventing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The envelope is read field by field after schema validation: it must read exactly what data binding read. */
class EventCodecTest {

    private final ObjectMapper mapper = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final EventCodec codec = new EventCodec(mapper, new ContractValidator(mapper));

    private static final String ORDER = "3f2c1b7e-8a4d-4c59-9e2f-6b1d0a7c5e13";

    private ObjectNode envelope() {
        ObjectNode e = mapper.createObjectNode();
        e.put("specversion", "1.0").put("id", "7d8c4a52-0b7e-4f5e-9a55-2c1f9d3e8b10").put("source", "/order-svc")
                .put("type", "order.confirmed").put("subject", ORDER).put("time", "2026-12-01T13:10:26.123456789+01:00")
                .put("datacontenttype", "application/json").put("dataschema", "urn:shop:schema:order.confirmed:v1")
                .put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .put("comexampleextension", "ignored");
        e.putObject("data").put("orderId", ORDER).put("customerId", "alice").put("total", 12.5);
        return e;
    }

    private byte[] bytes(ObjectNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void decodesEveryAttributeOfAValidEnvelope() {
        CloudEvent event = codec.decode(bytes(envelope()));
        assertEquals("1.0", event.specversion());
        assertEquals("7d8c4a52-0b7e-4f5e-9a55-2c1f9d3e8b10", event.id());
        assertEquals("/order-svc", event.source());
        assertEquals("order.confirmed", event.type());
        assertEquals(ORDER, event.subject());
        assertEquals(OffsetDateTime.of(2026, 12, 1, 13, 10, 26, 123456789, ZoneOffset.ofHours(1)), event.time());
        assertEquals("application/json", event.datacontenttype());
        assertEquals("urn:shop:schema:order.confirmed:v1", event.dataschema());
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", event.traceparent());
        assertNull(event.tracestate());
        assertEquals("alice", event.data().get("customerId").asText());
    }

    @Test
    void whatIsEncodedDecodesToTheSameEvent() {
        CloudEvent original = codec.decode(bytes(envelope()));
        assertEquals(original, codec.decode(codec.encode(original)));
        ObjectNode noTrace = envelope();
        noTrace.remove("traceparent");
        noTrace.remove("dataschema");
        CloudEvent bare = codec.decode(bytes(noTrace));
        assertNull(bare.traceparent());
        assertNull(bare.dataschema());
        assertEquals(bare, codec.decode(codec.encode(bare)));
    }

    @Test
    void aBrokenEnvelopeIsPoisonWithTheReason() {
        assertTrue(assertThrows(PoisonEventException.class, () -> codec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .getMessage().contains("not JSON"));
        ObjectNode noTime = envelope();
        noTime.remove("time");
        assertTrue(assertThrows(PoisonEventException.class, () -> codec.decode(bytes(noTime))).getMessage().contains("time"));
        ObjectNode badTime = envelope().put("time", "yesterday");
        assertTrue(assertThrows(PoisonEventException.class, () -> codec.decode(bytes(badTime))).getMessage().contains("time"));
        ObjectNode badData = envelope();
        ((ObjectNode) badData.get("data")).put("total", -1);
        assertTrue(assertThrows(PoisonEventException.class, () -> codec.decode(bytes(badData))).getMessage()
                .contains("schema-invalid order.confirmed data"));
    }
}
