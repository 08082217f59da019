package dev.shop.eventing.contract;

import static dev.shop.eventing.contract.ContractFiles.DRAFT_2020_12;
import static dev.shop.eventing.contract.ContractFiles.MAPPER;
import static dev.shop.eventing.contract.ContractFiles.SCHEMA_FILE;
import static dev.shop.eventing.contract.ContractFiles.asAtRuntime;
import static dev.shop.eventing.contract.ContractFiles.asyncApiEventAddresses;
import static dev.shop.eventing.contract.ContractFiles.asyncApiSchemaRefs;
import static dev.shop.eventing.contract.ContractFiles.baseline;
import static dev.shop.eventing.contract.ContractFiles.eventTypesWithSchema;
import static dev.shop.eventing.contract.ContractFiles.jsonFiles;
import static dev.shop.eventing.contract.ContractFiles.metaSchema;
import static dev.shop.eventing.contract.ContractFiles.read;
import static dev.shop.eventing.contract.ContractFiles.schema;
import static dev.shop.eventing.contract.ContractFiles.schemas;
import static dev.shop.eventing.contract.ContractFiles.withFormatsAsserted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * Guards the event contracts under {@code contracts/}: the schemas are well-formed and documented,
 * agree with asyncapi.yaml, stay backward compatible with the published baseline, and reject what
 * they claim to reject. Plain JUnit, no Quarkus: it runs in seconds.
 */
class ContractCompatibilityTest {

    // ---- the schema files themselves

    @Test
    void everySchemaFileIsJsonDeclaringDraft202012AndItsVersionedId() {
        List<String> problems = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            String name = file.getFileName().toString();
            JsonNode schema;
            try {
                schema = MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                problems.add(name + ": not JSON: " + e.getMessage());
                continue;
            }
            Matcher m = SCHEMA_FILE.matcher(name);
            if (!m.matches()) {
                problems.add(name + ": not named <type>.v<N>.json");
                continue;
            }
            if (!DRAFT_2020_12.equals(schema.path("$schema").asText())) {
                problems.add(name + ": $schema is not " + DRAFT_2020_12);
            }
            String id = "urn:shop:schema:" + m.group(1) + ":v" + m.group(2);
            if (!id.equals(schema.path("$id").asText())) {
                problems.add(name + ": $id is not " + id);
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everySchemaIsValidAgainstTheDraft202012MetaSchema() {
        List<String> problems = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            metaSchema().validate(read(file)).forEach(m -> problems.add(file.getFileName() + ": " + m.getMessage()));
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everySchemaHasATitleADescriptionAndAnExample() {
        List<String> problems = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            JsonNode schema = read(file);
            for (String keyword : List.of("title", "description")) {
                if (schema.path(keyword).asText().isBlank()) {
                    problems.add(file.getFileName() + ": no " + keyword);
                }
            }
            if (schema.path("examples").isEmpty()) {
                problems.add(file.getFileName() + ": no examples");
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void everySchemaAcceptsItsOwnExamplesWithFormatsAsserted() {
        List<String> problems = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            JsonNode schema = read(file);
            for (JsonNode example : schema.path("examples")) {
                withFormatsAsserted(schema).validate(example)
                        .forEach(m -> problems.add(file.getFileName() + ": example: " + m.getMessage()));
            }
        }
        assertEquals(List.of(), problems);
    }

    /** Tolerant readers: a producer may add fields before every consumer knows them. */
    @Test
    void everyObjectInEverySchemaExplicitlyAllowsUnknownProperties() {
        List<String> problems = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            collectClosedObjects(file.getFileName() + " $", read(file), problems);
        }
        assertEquals(List.of(), problems);
    }

    // ---- schemas and asyncapi.yaml agree

    @Test
    void everyEventChannelInAsyncApiHasASchemaFile() {
        Set<String> missing = new TreeSet<>(asyncApiEventAddresses());
        missing.removeAll(eventTypesWithSchema());
        assertEquals(Set.of(), missing, "channels in asyncapi.yaml without contracts/schemas/<type>.v1.json");
        Set<String> dangling = new TreeSet<>();
        for (String ref : asyncApiSchemaRefs()) {
            if (!Files.isRegularFile(schemas().resolve(ref))) {
                dangling.add(ref);
            }
        }
        assertEquals(Set.of(), dangling, "asyncapi.yaml references schema files that do not exist");
    }

    @Test
    void everySchemaFileIsDescribedInAsyncApi() {
        Set<String> withoutChannel = new TreeSet<>(eventTypesWithSchema());
        withoutChannel.removeAll(asyncApiEventAddresses());
        assertEquals(Set.of(), withoutChannel, "event schemas without a channel in asyncapi.yaml");
        Set<String> unreferenced = new TreeSet<>();
        jsonFiles(schemas()).forEach(f -> unreferenced.add(f.getFileName().toString()));
        unreferenced.removeAll(asyncApiSchemaRefs());
        assertEquals(Set.of(), unreferenced, "schema files no message in asyncapi.yaml references");
    }

    // ---- evolution against the published baseline

    @Test
    void everySchemaHasAFrozenBaseline() {
        List<String> unpublished = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            if (!Files.isRegularFile(baseline().resolve(file.getFileName()))) {
                unpublished.add(file.getFileName() + " (copy it unchanged to contracts/baseline/ when it is published)");
            }
        }
        assertEquals(List.of(), unpublished);
    }

    @Test
    void everyPublishedBaselineStillHasItsSchema() {
        List<String> removed = new ArrayList<>();
        for (Path file : jsonFiles(baseline())) {
            if (!Files.isRegularFile(schemas().resolve(file.getFileName()))) {
                removed.add(file.getFileName() + " was published and must stay until no one reads it");
            }
        }
        assertEquals(List.of(), removed);
    }

    @Test
    void everySchemaIsBackwardCompatibleWithItsBaseline() {
        List<String> violations = new ArrayList<>();
        for (Path file : jsonFiles(schemas())) {
            Path published = baseline().resolve(file.getFileName());
            if (Files.isRegularFile(published)) {
                SchemaCompatibility.violations(read(published), read(file))
                        .forEach(v -> violations.add(file.getFileName() + " " + v));
            }
        }
        assertEquals(List.of(), violations, "breaking changes need a new <type>.v2.json, see docs/contracts.md");
    }

    @Test
    void compatibilityCheckReportsEveryKindOfBreakingChange() throws JsonProcessingException {
        JsonNode candidate = MAPPER.readTree("""
                {
                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": "urn:shop:schema:test.thing:v2",
                  "type": "object",
                  "additionalProperties": false,
                  "required": ["orderId", "note"],
                  "properties": {
                    "orderId": {"type": "string", "pattern": "^[a-f0-9]+$"},
                    "note": {"type": "string", "minLength": 2, "maxLength": 32},
                    "amount": {"type": "integer", "minimum": 0, "maximum": 999},
                    "reason": {"type": "string", "enum": ["A"]},
                    "channel": {"type": "string", "enum": ["web"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "lines": {
                      "type": "array", "minItems": 2, "maxItems": 10,
                      "items": {"type": "object", "additionalProperties": false,
                                "properties": {"qty": {"type": "string"}}}
                    }
                  }
                }
                """);
        List<String> expected = List.of(
                "$: $id changed from",
                "$: additionalProperties narrowed from true to false",
                "$: new required property 'note'",
                "$: property 'legacy' removed",
                "$.orderId: pattern changed from",
                "$.note: minLength raised from 1 to 2",
                "$.note: maxLength lowered from 64 to 32",
                "$.amount: type narrowed from [number] to [integer]",
                "$.amount: maximum 999 added where there was no limit",
                "$.reason: enum value \"B\" removed",
                "$.channel: enum [\"web\"] added where any value was accepted",
                "$.tags: items schema added where any item was accepted",
                "$.lines: minItems raised from 1 to 2",
                "$.lines: maxItems lowered from 100 to 10",
                "$.lines[]: additionalProperties narrowed from true to false",
                "$.lines[].qty: type narrowed from [integer] to [string]");

        List<String> reported = SchemaCompatibility.violations(baselineOfATestEvent(), candidate);

        List<String> missed = expected.stream().filter(e -> reported.stream().noneMatch(r -> r.startsWith(e))).toList();
        List<String> unexpected = reported.stream().filter(r -> expected.stream().noneMatch(r::startsWith)).toList();
        assertEquals(List.of(), missed, "breaking changes the checker did not report");
        assertEquals(List.of(), unexpected, "violations the checker should not have reported");
    }

    @Test
    void compatibilityCheckAcceptsAdditiveAndWideningChanges() throws JsonProcessingException {
        JsonNode candidate = MAPPER.readTree("""
                {
                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": "urn:shop:schema:test.thing:v1",
                  "type": "object",
                  "additionalProperties": true,
                  "required": [],
                  "properties": {
                    "orderId": {"type": "string"},
                    "note": {"type": ["string", "null"], "minLength": 0, "maxLength": 128},
                    "amount": {"type": "number", "minimum": 0},
                    "reason": {"type": "string", "enum": ["A", "B", "C"]},
                    "channel": {"type": "string"},
                    "legacy": {"type": "string", "deprecated": true},
                    "tags": {"type": "array"},
                    "lines": {
                      "type": "array", "minItems": 0, "maxItems": 1000,
                      "items": {"type": "object", "additionalProperties": true,
                                "properties": {"qty": {"type": "number", "maximum": 5000}, "gift": {"type": "boolean"}}}
                    },
                    "newField": {"type": "string", "maxLength": 10}
                  }
                }
                """);

        assertEquals(List.of(), SchemaCompatibility.violations(baselineOfATestEvent(), candidate));
    }

    // ---- the schemas reject what they promise to reject (compiled as ContractValidator compiles them)

    @Test
    void orderPlacedWithZeroQuantityIsRejected() {
        ObjectNode event = example("order.placed");
        ((ObjectNode) event.get("items").get(0)).put("quantity", 0);
        assertRejectedBy("minimum", "order.placed", event);
    }

    @Test
    void orderPlacedWithMoreThan100ItemsIsRejected() {
        ObjectNode event = example("order.placed");
        withItems(event, 101);
        assertRejectedBy("maxItems", "order.placed", event);
    }

    @Test
    void orderPlacedWithExactly100ItemsIsAccepted() {
        ObjectNode event = example("order.placed");
        withItems(event, 100);
        assertEquals(Set.of(), validate("order.placed", event));
    }

    @Test
    void orderPlacedWithoutCustomerIdIsRejected() {
        ObjectNode event = example("order.placed");
        event.remove("customerId");
        assertRejectedBy("required", "order.placed", event);
    }

    @Test
    void stockReservedWithAUnitPriceOfThreeDecimalsIsRejected() {
        ObjectNode event = example("stock.reserved");
        ((ObjectNode) event.get("items").get(0)).put("unitPrice", 1.234);
        assertRejectedBy("multipleOf", "stock.reserved", event);
    }

    /** format is only an annotation at runtime; the pattern is what rejects. */
    @Test
    void orderIdThatIsNotAUuidIsRejectedWithoutFormatAssertions() {
        ObjectNode event = example("payment.authorized");
        event.put("orderId", "order-1");
        assertRejectedBy("pattern", "payment.authorized", event);
    }

    @Test
    void unknownPropertiesAreAcceptedForTolerantReaders() {
        ObjectNode event = example("stock.reserved");
        event.put("warehouse", "north");
        ((ObjectNode) event.get("items").get(0)).put("batch", "B-7");
        assertEquals(Set.of(), validate("stock.reserved", event));
    }

    @Test
    void envelopeWithAnotherSpecVersionIsRejected() {
        ObjectNode envelope = example("cloudevent");
        envelope.put("specversion", "0.3");
        assertRejectedBy("const", "cloudevent", envelope);
    }

    @Test
    void envelopeWithoutSubjectIsRejected() {
        ObjectNode envelope = example("cloudevent");
        envelope.remove("subject");
        assertRejectedBy("required", "cloudevent", envelope);
    }

    // ---- helpers

    private static JsonNode baselineOfATestEvent() throws JsonProcessingException {
        return MAPPER.readTree("""
                {
                  "$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": "urn:shop:schema:test.thing:v1",
                  "type": "object",
                  "additionalProperties": true,
                  "required": ["orderId"],
                  "properties": {
                    "orderId": {"type": "string", "pattern": "^[a-f0-9-]+$"},
                    "note": {"type": "string", "minLength": 1, "maxLength": 64},
                    "amount": {"type": "number", "minimum": 0},
                    "reason": {"type": "string", "enum": ["A", "B"]},
                    "channel": {"type": "string"},
                    "legacy": {"type": "string"},
                    "tags": {"type": "array"},
                    "lines": {
                      "type": "array", "minItems": 1, "maxItems": 100,
                      "items": {"type": "object", "additionalProperties": true,
                                "properties": {"qty": {"type": "integer", "maximum": 1000}}}
                    }
                  }
                }
                """);
    }

    private static ObjectNode example(String name) {
        return schema(name).path("examples").get(0).deepCopy();
    }

    private static void withItems(ObjectNode event, int count) {
        ArrayNode items = event.putArray("items");
        for (int i = 0; i < count; i++) {
            items.addObject().put("sku", "SKU-" + i).put("quantity", 1);
        }
    }

    private static Set<ValidationMessage> validate(String name, JsonNode payload) {
        return asAtRuntime(schema(name)).validate(payload);
    }

    private static void assertRejectedBy(String keyword, String name, JsonNode payload) {
        Set<ValidationMessage> errors = validate(name, payload);
        assertTrue(errors.stream().anyMatch(e -> keyword.equals(e.getType())),
                () -> name + " should reject by '" + keyword + "' but reported " + errors);
    }

    private static void collectClosedObjects(String path, JsonNode schema, List<String> problems) {
        if (!schema.isObject()) {
            return;
        }
        JsonNode type = schema.path("type");
        boolean object = type.asText().equals("object") || (type.isArray() && type.toString().contains("\"object\""));
        JsonNode additional = schema.path("additionalProperties");
        if (object && !(additional.isBoolean() && additional.booleanValue())) {
            problems.add(path + ": object without \"additionalProperties\": true");
        }
        for (String keyword : List.of("properties", "$defs")) {
            schema.path(keyword).fieldNames().forEachRemaining(
                    name -> collectClosedObjects(path + "." + name, schema.path(keyword).get(name), problems));
        }
        collectClosedObjects(path + "[]", schema.path("items"), problems);
        for (String keyword : List.of("allOf", "anyOf", "oneOf", "prefixItems")) {
            schema.path(keyword).forEach(sub -> collectClosedObjects(path + "." + keyword, sub, problems));
        }
    }
}
