package dev.shop.eventing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validates envelopes and event data against the JSON Schemas under {@code contracts/schemas}
 * (copied onto the classpath by the build). Producers validate before writing to the outbox, so a
 * contract violation fails the producing transaction; consumers validate on receipt, so a bad
 * message is dead-lettered instead of corrupting state.
 */
@ApplicationScoped
public class ContractValidator {

    static final String ENVELOPE = "cloudevent";

    private final ObjectMapper mapper;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final Map<String, Optional<JsonSchema>> schemas = new ConcurrentHashMap<>();

    public ContractValidator(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public List<String> validateEnvelope(JsonNode envelope) {
        return validate(ENVELOPE, envelope);
    }

    /** Events of a type without a schema are unknown to this service; tolerant readers ignore them. */
    public List<String> validateData(String type, JsonNode data) {
        if (schema(type).isEmpty()) {
            return List.of();
        }
        return validate(type, data);
    }

    public boolean knows(String type) {
        return schema(type).isPresent();
    }

    private List<String> validate(String name, JsonNode node) {
        JsonSchema schema = schema(name).orElseThrow(() -> new IllegalStateException("no contract " + name));
        if (node == null) {
            return List.of("$: is missing");
        }
        return schema.validate(node).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private Optional<JsonSchema> schema(String name) {
        return schemas.computeIfAbsent(name, n -> {
            String path = "contracts/schemas/" + n + ".v1.json";
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    return Optional.empty();
                }
                // Formats (uuid, date-time, uri) are assertions here, not annotations: a bad timestamp is a contract breach.
                SchemaValidatorsConfig cfg = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
                return Optional.of(factory.getSchema(mapper.readTree(in), cfg));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read contract " + path, e);
            }
        });
    }
}
