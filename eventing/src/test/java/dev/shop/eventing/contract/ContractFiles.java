package dev.shop.eventing.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds, reads and compiles the contract files under the repository's {@code contracts/}. */
final class ContractFiles {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

    /** {@code order.placed.v1.json} names event type {@code order.placed}, version 1. */
    static final Pattern EVENT_SCHEMA_FILE = Pattern.compile("([a-z]+\\.[a-z]+)\\.v(\\d+)\\.json");
    /** Any schema file, the envelope {@code cloudevent.v1.json} included. */
    static final Pattern SCHEMA_FILE = Pattern.compile("([a-z.]+)\\.v(\\d+)\\.json");

    private static final Pattern EVENT_ADDRESS = Pattern.compile("^\\s+address:\\s*['\"]?([a-z]+\\.[a-z]+)['\"]?\\s*$");
    private static final Pattern SCHEMA_REF = Pattern.compile("\\$ref:\\s*['\"]?\\./schemas/([^'\"\\s]+)");

    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final SchemaValidatorsConfig FORMATS_ASSERTED =
            SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private ContractFiles() {
    }

    /** Maven runs tests with basedir = eventing/; an IDE may run them from the repository root. */
    static Path root() {
        for (Path candidate : List.of(Path.of("../contracts"), Path.of("contracts"))) {
            if (Files.isDirectory(candidate.resolve("schemas"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("no contracts/schemas next to " + Path.of("").toAbsolutePath());
    }

    static Path schemas() {
        return root().resolve("schemas");
    }

    static Path baseline() {
        return root().resolve("baseline");
    }

    static List<Path> jsonFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The event types that have a schema file, from the file names. */
    static Set<String> eventTypesWithSchema() {
        Set<String> types = new TreeSet<>();
        for (Path file : jsonFiles(schemas())) {
            Matcher m = EVENT_SCHEMA_FILE.matcher(file.getFileName().toString());
            if (m.matches()) {
                types.add(m.group(1));
            }
        }
        return types;
    }

    /**
     * Channel addresses of asyncapi.yaml that are event types (routing keys). The YAML is scanned line
     * by line on purpose: the test must not depend on a YAML parser being on the classpath.
     */
    static Set<String> asyncApiEventAddresses() {
        return scanAsyncApi(EVENT_ADDRESS);
    }

    /** File names under ./schemas that asyncapi.yaml references with {@code $ref}. */
    static Set<String> asyncApiSchemaRefs() {
        return scanAsyncApi(SCHEMA_REF);
    }

    private static Set<String> scanAsyncApi(Pattern pattern) {
        Set<String> found = new TreeSet<>();
        try {
            for (String line : Files.readAllLines(root().resolve("asyncapi.yaml"))) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    found.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read asyncapi.yaml", e);
        }
        return found;
    }

    /** The published schema of an event type (or "cloudevent"), version 1. */
    static JsonNode schema(String name) {
        return read(schemas().resolve(name + ".v1.json"));
    }

    /**
     * Compiled as {@code ContractValidator} compiles it at runtime. Draft 2020-12 treats {@code format}
     * as an annotation there, so uuid, date-time and uri are only enforced where a pattern backs them.
     */
    static JsonSchema asAtRuntime(JsonNode schema) {
        return FACTORY.getSchema(schema);
    }

    /** Compiled with {@code format} asserted too: examples must be right in every respect. */
    static JsonSchema withFormatsAsserted(JsonNode schema) {
        return FACTORY.getSchema(schema, FORMATS_ASSERTED);
    }

    /** The draft 2020-12 meta-schema, bundled with the validator (no network). */
    static JsonSchema metaSchema() {
        return FACTORY.getSchema(SchemaLocation.of(SchemaId.V202012));
    }
}
