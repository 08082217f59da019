package dev.shop.eventing.contract;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Says whether a changed event schema still keeps the promises of its published baseline, so that
 * consumers written against the baseline keep working: nothing they read disappears or changes type,
 * and nothing the baseline accepted is rejected now.
 *
 * <p>Compares keyword by keyword, recursing through {@code properties}, {@code items} and
 * {@code $defs}. Where it cannot reason about a keyword ({@code pattern}, {@code anyOf}, {@code $ref},
 * ...) it reports any addition or change: it errs towards false alarms, not silent breaks.
 * One narrowing it cannot see: a new optional property with constraints, although the baseline's
 * {@code additionalProperties: true} accepted any value under that name. Additive evolution accepts
 * that risk, because no producer sent that name before.
 */
final class SchemaCompatibility {

    private static final List<String> IDENTITY = List.of("$schema", "$id");
    private static final List<String> UPPER_BOUNDS =
            List.of("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties");
    private static final List<String> LOWER_BOUNDS =
            List.of("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties");
    /** Keywords that only ever restrict: dropping one widens, adding or changing one may narrow. */
    private static final List<String> RESTRICTIONS = List.of(
            "pattern", "format", "multipleOf", "const", "uniqueItems", "contains", "propertyNames",
            "patternProperties", "dependentRequired", "dependentSchemas", "prefixItems",
            "unevaluatedProperties", "unevaluatedItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
            "$ref");

    private SchemaCompatibility() {
    }

    /** @return one readable line per incompatibility; empty if {@code candidate} is backward compatible */
    static List<String> violations(JsonNode baseline, JsonNode candidate) {
        List<String> out = new ArrayList<>();
        for (String keyword : IDENTITY) {
            if (!Objects.equals(baseline.get(keyword), candidate.get(keyword))) {
                out.add("$: " + keyword + " changed from " + baseline.get(keyword) + " to " + candidate.get(keyword)
                        + " (a breaking change is a new file with the next version)");
            }
        }
        compare("$", baseline, candidate, out);
        return out;
    }

    private static void compare(String path, JsonNode was, JsonNode now, List<String> out) {
        if (!was.isObject() || !now.isObject()) { // boolean schemas: true accepts anything, false nothing
            if (!now.equals(was) && !isTrue(now)) {
                out.add(path + ": schema narrowed from " + was + " to " + now);
            }
            return;
        }
        type(path, was, now, out);
        required(path, was, now, out);
        enumeration(path, was, now, out);
        bounds(path, was, now, UPPER_BOUNDS, -1, "lowered", out);
        bounds(path, was, now, LOWER_BOUNDS, 1, "raised", out);
        restrictions(path, was, now, out);
        additionalProperties(path, was, now, out);
        members(path, ".", "properties", "property", was, now, out);
        members(path, ".$defs.", "$defs", "definition", was, now, out);
        items(path, was, now, out);
    }

    private static void type(String path, JsonNode was, JsonNode now, List<String> out) {
        Set<String> before = types(was);
        Set<String> after = types(now);
        if (after.isEmpty()) {
            return; // no type keyword: every type is accepted
        }
        if (before.isEmpty()) {
            out.add(path + ": type " + after + " added where any type was accepted");
        } else if (before.stream().anyMatch(t -> !after.contains(t) && !(t.equals("integer") && after.contains("number")))) {
            out.add(path + ": type narrowed from " + before + " to " + after);
        }
    }

    private static void required(String path, JsonNode was, JsonNode now, List<String> out) {
        for (JsonNode name : now.path("required")) {
            if (!contains(was.path("required"), name)) {
                out.add(path + ": new required property '" + name.asText() + "'");
            }
        }
    }

    private static void enumeration(String path, JsonNode was, JsonNode now, List<String> out) {
        JsonNode after = now.get("enum");
        if (after == null) {
            return;
        }
        JsonNode before = was.get("enum");
        if (before == null) {
            out.add(path + ": enum " + after + " added where any value was accepted");
            return;
        }
        for (JsonNode value : before) {
            if (!contains(after, value)) {
                out.add(path + ": enum value " + value + " removed");
            }
        }
    }

    /** {@code narrowing} is the sign of (new - old) that rejects more: -1 for upper bounds, +1 for lower. */
    private static void bounds(String path, JsonNode was, JsonNode now, List<String> keywords, int narrowing,
            String verb, List<String> out) {
        for (String keyword : keywords) {
            JsonNode before = was.get(keyword);
            JsonNode after = now.get(keyword);
            if (after == null) {
                continue;
            }
            if (before == null) {
                out.add(path + ": " + keyword + " " + after + " added where there was no limit");
            } else if (Integer.signum(after.decimalValue().compareTo(before.decimalValue())) == narrowing) {
                out.add(path + ": " + keyword + " " + verb + " from " + before + " to " + after);
            }
        }
    }

    private static void restrictions(String path, JsonNode was, JsonNode now, List<String> out) {
        for (String keyword : RESTRICTIONS) {
            JsonNode before = was.get(keyword);
            JsonNode after = now.get(keyword);
            if (after != null && !after.equals(before)) {
                out.add(path + ": " + keyword + (before == null ? " added: " + after : " changed from " + before + " to " + after)
                        + " (may reject events the baseline accepted)");
            }
        }
    }

    private static void additionalProperties(String path, JsonNode was, JsonNode now, List<String> out) {
        JsonNode before = was.get("additionalProperties");
        JsonNode after = now.get("additionalProperties");
        if (after != null && !isTrue(after) && !after.equals(before)) {
            out.add(path + ": additionalProperties narrowed from " + (before == null ? "absent (any)" : before) + " to " + after);
        }
    }

    private static void members(String path, String separator, String keyword, String noun, JsonNode was, JsonNode now,
            List<String> out) {
        JsonNode before = was.path(keyword);
        JsonNode after = now.path(keyword);
        for (Iterator<String> names = before.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (after.has(name)) {
                compare(path + separator + name, before.get(name), after.get(name), out);
            } else {
                out.add(path + ": " + noun + " '" + name + "' removed");
            }
        }
    }

    private static void items(String path, JsonNode was, JsonNode now, List<String> out) {
        JsonNode before = was.get("items");
        JsonNode after = now.get("items");
        if (after == null) {
            return;
        }
        if (before == null) {
            out.add(path + ": items schema added where any item was accepted");
        } else {
            compare(path + "[]", before, after, out);
        }
    }

    private static Set<String> types(JsonNode schema) {
        Set<String> types = new TreeSet<>();
        JsonNode type = schema.get("type");
        if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else if (type != null) {
            types.add(type.asText());
        }
        return types;
    }

    private static boolean contains(JsonNode array, JsonNode value) {
        for (JsonNode element : array) {
            if (element.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTrue(JsonNode node) {
        return node.isBoolean() && node.booleanValue();
    }
}
