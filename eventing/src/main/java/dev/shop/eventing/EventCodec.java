package dev.shop.eventing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns CloudEvents into bytes and back, enforcing the contracts in {@code contracts/schemas}.
 * Anything that cannot be decoded or does not match its schema is a {@link PoisonEventException}:
 * retrying will never fix it, so it goes straight to the dead-letter queue.
 */
@ApplicationScoped
public class EventCodec {

    private final ObjectMapper mapper;
    private final ContractValidator contracts;

    public EventCodec(ObjectMapper mapper, ContractValidator contracts) {
        this.mapper = mapper;
        this.contracts = contracts;
    }

    public byte[] encode(CloudEvent event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode event " + event.id(), e);
        }
    }

    public CloudEvent decode(Object payload) {
        byte[] bytes = bytesOf(payload);
        JsonNode tree;
        try {
            tree = mapper.readTree(bytes);
        } catch (IOException e) {
            throw new PoisonEventException("undecodable: body is not JSON (" + e.getMessage() + ")");
        }
        if (tree == null || !tree.isObject()) {
            throw new PoisonEventException("undecodable: body is not a JSON object");
        }
        List<String> envelopeErrors = contracts.validateEnvelope(tree);
        if (!envelopeErrors.isEmpty()) {
            throw new PoisonEventException("schema-invalid CloudEvent envelope: " + String.join("; ", envelopeErrors));
        }
        CloudEvent event = envelope(tree);
        List<String> dataErrors = contracts.validateData(event.type(), event.data());
        if (!dataErrors.isEmpty()) {
            throw new PoisonEventException("schema-invalid " + event.type() + " data: " + String.join("; ", dataErrors));
        }
        return event;
    }

    /**
     * The event of a schema-valid envelope, read field by field (the schema has checked every type and
     * format; data stays the tree it is). Cheaper than data binding, which copies the tree through a
     * parser: decoding was the largest Jackson share of a consumer's CPU (docs/benchmark.md, session 8).
     */
    private static CloudEvent envelope(JsonNode tree) {
        OffsetDateTime time;
        try {
            time = OffsetDateTime.parse(tree.get("time").asText());
        } catch (DateTimeParseException e) {
            throw new PoisonEventException("undecodable CloudEvent: time " + e.getMessage());
        }
        return new CloudEvent(text(tree, "specversion"), text(tree, "id"), text(tree, "source"), text(tree, "type"),
                text(tree, "subject"), time, text(tree, "datacontenttype"), text(tree, "dataschema"), text(tree, "traceparent"),
                text(tree, "tracestate"), tree.get("data"));
    }

    private static String text(JsonNode tree, String field) {
        JsonNode value = tree.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    public <T> T dataAs(CloudEvent event, Class<T> type) {
        try {
            return mapper.treeToValue(event.data(), type);
        } catch (IOException e) {
            throw new PoisonEventException("cannot read " + event.type() + " data as " + type.getSimpleName() + ": " + e.getMessage());
        }
    }

    public JsonNode toTree(Object data) {
        return mapper.valueToTree(data);
    }

    /** Like {@link #bytesOf} but never fails: an unexpected body type is kept as its text (for DLQ copies). */
    public static byte[] bytesOrText(Object payload) {
        try {
            return bytesOf(payload);
        } catch (PoisonEventException e) {
            return String.valueOf(payload).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The raw body of an AMQP message payload, whatever type the connector handed over. */
    public static byte[] bytesOf(Object payload) {
        if (payload instanceof byte[] b) {
            return b;
        }
        if (payload instanceof Buffer b) {
            return b.getBytes();
        }
        if (payload instanceof io.vertx.mutiny.core.buffer.Buffer b) {
            return b.getBytes();
        }
        if (payload instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (payload instanceof JsonObject j) {
            return j.encode().getBytes(StandardCharsets.UTF_8);
        }
        throw new PoisonEventException("undecodable: unsupported AMQP body type "
                + (payload == null ? "null" : payload.getClass().getName()));
    }
}
