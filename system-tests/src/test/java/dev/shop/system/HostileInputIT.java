package dev.shop.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shop.eventing.testing.Tokens;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static dev.shop.system.Api.account;
import static dev.shop.system.Api.place;
import static dev.shop.system.Api.product;
import static dev.shop.system.Api.unique;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input, generated from each service's own OpenAPI document (no OpenAPI fuzzer installs from
 * the registries reachable here, so the cases are generated): for every operation, every parameter and
 * every body field is replaced in turn by malformed, oversized, wrongly typed, injection-shaped and
 * unicode-edge values, and whole bodies by broken JSON, as each role. The services must never answer
 * 5xx, never show a stack trace or an internal class name, and a refused write must leave its rows as
 * they were. New operations and fields are covered automatically: the cases come from the documents.
 */
class HostileInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Traces of internals that must never reach a client. */
    private static final Pattern LEAK = Pattern.compile(
            "Exception|\\bat (java|io|org|dev|com)\\.|java\\.lang|org\\.hibernate|io\\.vertx|io\\.smallrye|SQLState|PSQLException|dev\\.shop\\.");

    /** Strings that have broken parsers, queries, templates, paths and logs somewhere. */
    static final List<String> HOSTILE_STRINGS = List.of(
            "", " ", "' OR '1'='1", "1; DROP TABLE orders;--", "\" OR \"\"=\"", "admin'--", "%' AND 1=1 AND '%'='",
            "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/", "\\", "%", "%00", "\u0000", "a\u0000b",
            "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1:1/a}", "{{7*7}}", "#{7*7}", "%s%s%s%n", "\r\nX-Injected: 1",
            "\u202Eevil", "\uD83D\uDE00", "\uD83D\uDE00".repeat(200), "\uFEFFBOM", "a\u0301\u0301\u0301", "\u200B", "\uFFFF", "\uFFFE",
            "\uD835\uDD4A\uD835\uDD59\uD835\uDD60\uD835\uDD61", "Ǆǅǆ", "İı", "ß".repeat(65), "A".repeat(65), "A".repeat(201),
            "A".repeat(2049), "A".repeat(20_000), "null", "true", "-1", "0", "1e309", "NaN", "9".repeat(400),
            "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-fffffffffffff", UUID.randomUUID() + "' OR 1=1--");

    /** Values of the wrong shape for any field. */
    static List<Supplier<JsonNode>> hostileValues() {
        List<Supplier<JsonNode>> values = new ArrayList<>();
        values.add(F::nullNode);
        values.add(() -> F.booleanNode(true));
        values.add(() -> F.numberNode(-1));
        values.add(() -> F.numberNode(0));
        values.add(() -> F.numberNode(2147483648L));
        values.add(() -> F.numberNode(new java.math.BigDecimal("1e400")));
        values.add(() -> F.numberNode(new java.math.BigDecimal("-0.000000000000000000001")));
        values.add(() -> F.numberNode(new java.math.BigInteger("9".repeat(500))));
        values.add(() -> F.numberNode(1.5));
        values.add(F::arrayNode);
        values.add(F::objectNode);
        values.add(() -> {
            ArrayNode deep = F.arrayNode();
            ArrayNode cur = deep;
            for (int i = 0; i < 200; i++) {
                ArrayNode next = F.arrayNode();
                cur.add(next);
                cur = next;
            }
            return deep;
        });
        for (String s : HOSTILE_STRINGS) {
            values.add(() -> F.textNode(s));
        }
        return values;
    }

    /** Whole bodies that are not what any operation accepts. */
    static final List<String> HOSTILE_BODIES = List.of(
            "", "{", "}", "null", "[]", "\"x\"", "0", "{\"a\":}", "{\"items\":[{\"sku\":\"A\",\"quantity\":1}]", "{'single':'quotes'}",
            "{\"a\":1,\"a\":2}", "\uFEFF{}", "[".repeat(5_000) + "]".repeat(5_000), "{\"x\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}",
            "{\"items\":[" + "{\"sku\":\"A\",\"quantity\":1},".repeat(5_000) + "{\"sku\":\"A\",\"quantity\":1}]}",
            "{\"pad\":\"" + "A".repeat(100_000) + "\"}", "{\"name\":\"\\ud800\"}", "{\"n\":1e999999999}");

    private static final Map<String, String> DB = Map.of("order", "shop_order_", "inventory", "shop_inventory_",
            "billing", "shop_billing_", "notification", "shop_notification_");

    private static String customer;
    /** The product the product operations target; no order ever reserves it, so only a PUT changes it. */
    private static String sku;
    /** What the fuzzer's orders ask for: a product that does not exist, so inventory rejects them at once. */
    private static String orderSku;
    private static String orderId;
    private final List<String> failures = new ArrayList<>();
    private int cases;

    @BeforeAll
    static void system() {
        ShopSystem.get();
        customer = unique("fuzz");
        sku = unique("FUZZ");
        orderSku = unique("NOSUCH");
        product(sku, "1.00", 0);
        account(customer, "1000000.00");
        orderId = place(customer, orderSku, 1);
    }

    @Test
    void hostileInputNeverCausesA5xxALeakOrAWriteOnRefusal() throws Exception {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("customer", Tokens.customer(customer));
        tokens.put("operator", Tokens.operator());
        tokens.put("admin", Tokens.admin());
        for (String svc : ShopSystem.PORTS.keySet()) {
            JsonNode doc = JSON.readTree(RestAssured.given().baseUri(ShopSystem.url(svc)).get("/q/openapi?format=json").asString());
            Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields();
            while (paths.hasNext()) {
                var path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields();
                while (ops.hasNext()) {
                    var op = ops.next();
                    if (!List.of("get", "put", "post", "delete", "patch").contains(op.getKey())) {
                        continue;
                    }
                    for (var role : tokens.entrySet()) {
                        fuzz(svc, doc, op.getKey().toUpperCase(), path.getKey(), op.getValue(), role.getKey(), role.getValue());
                    }
                }
            }
        }
        System.out.printf("hostile input: %d cases, %d failures%n", cases, failures.size());
        java.nio.file.Path report = java.nio.file.Path.of("target", "hostile-input-failures.txt");
        java.nio.file.Files.createDirectories(report.getParent());
        java.nio.file.Files.write(report, failures);
        assertTrue(cases >= 2_000, "expected thousands of generated cases, got " + cases);
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " hostile requests misbehaved:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    private void fuzz(String svc, JsonNode doc, String method, String path, JsonNode op, String role, String token) {
        Map<String, String> pathParams = new LinkedHashMap<>();
        Map<String, String> queryParams = new LinkedHashMap<>();
        List<JsonNode> params = new ArrayList<>();
        op.path("parameters").forEach(params::add);
        for (JsonNode p : params) {
            String value = baselineParam(p.path("name").asText(), resolve(doc, p.path("schema")));
            switch (p.path("in").asText()) {
                case "path" -> pathParams.put(p.path("name").asText(), value);
                case "query" -> queryParams.put(p.path("name").asText(), value);
                default -> { }
            }
        }
        JsonNode bodySchema = resolve(doc, op.path("requestBody").path("content").path("application/json").path("schema"));
        JsonNode body = bodySchema.isMissingNode() ? null : baseline(doc, bodySchema, "body");

        // Each path and query parameter, in turn, takes every hostile string.
        for (String name : pathParams.keySet()) {
            for (String s : HOSTILE_STRINGS) {
                Map<String, String> pp = new LinkedHashMap<>(pathParams);
                pp.put(name, s);
                send(svc, method, path, pp, queryParams, body == null ? null : body.toString(), "application/json", role, token,
                        "path " + name + "=" + abbreviate(s));
            }
        }
        for (String name : queryParams.keySet()) {
            for (String s : HOSTILE_STRINGS) {
                Map<String, String> qp = new LinkedHashMap<>(queryParams);
                qp.put(name, s);
                send(svc, method, path, pathParams, qp, body == null ? null : body.toString(), "application/json", role, token,
                        "query " + name + "=" + abbreviate(s));
            }
        }
        if (body == null) {
            return;
        }
        // Each body field (nested ones too), in turn, takes every hostile value; then whole hostile bodies.
        for (String pointer : fieldPointers(body, "")) {
            for (Supplier<JsonNode> v : hostileValues()) {
                JsonNode mutated = body.deepCopy();
                set(mutated, pointer, v.get());
                send(svc, method, path, pathParams, queryParams, mutated.toString(), "application/json", role, token,
                        "body " + pointer + "=" + abbreviate(v.get().toString()));
            }
            JsonNode without = body.deepCopy();
            remove(without, pointer);
            send(svc, method, path, pathParams, queryParams, without.toString(), "application/json", role, token, "body without " + pointer);
        }
        for (String raw : HOSTILE_BODIES) {
            send(svc, method, path, pathParams, queryParams, raw, "application/json", role, token, "raw body " + abbreviate(raw));
        }
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            send(svc, method, path, pathParams, queryParams, body.toString(), type, role, token, "content-type " + type);
        }
    }

    private void send(String svc, String method, String path, Map<String, String> pathParams, Map<String, String> query,
                      String body, String contentType, String role, String token, String what) {
        cases++;
        String label = svc + " " + method + " " + path + " as " + role + ": " + what;
        Guard guard = Guard.of(svc, method, path, pathParams);
        String before = guard == null ? null : guard.read();
        // The URL is encoded here, not by RestAssured, which would read "{...}" in a value as a template.
        String url = ShopSystem.url(svc) + expand(path, pathParams) + queryString(query);
        RequestSpecification req = RestAssured.given()
                .config(RestAssuredConfig.config().encoderConfig(EncoderConfig.encoderConfig()
                        .appendDefaultContentCharsetToContentTypeIfUndefined(false).encodeContentTypeAs(contentType, io.restassured.http.ContentType.TEXT)))
                .header("Authorization", "Bearer " + token)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .urlEncodingEnabled(false);
        if (body != null && !method.equals("GET")) {
            req = req.contentType(contentType).body(body.getBytes(StandardCharsets.UTF_8));
        }
        Response res;
        try {
            res = req.request(method, java.net.URI.create(url));
        } catch (Exception e) { // RestAssured rethrows checked I/O exceptions undeclared
            // The server may close the connection on an oversized request; that is a refusal, not a failure.
            if (String.valueOf(e).matches("(?s).*(Connection reset|closed|Broken pipe|NoHttpResponse|failed to respond|SocketException).*")) {
                return;
            }
            failures.add(label + " -> client error " + e);
            return;
        }
        int status = res.statusCode();
        String text = res.asString();
        if (status >= 500) {
            failures.add(label + " -> " + status + " " + abbreviate(text));
        } else if (LEAK.matcher(text).find()) {
            failures.add(label + " -> " + status + " leaks internals: " + abbreviate(text));
        } else if (status >= 400 && guard != null && !guard.read().equals(before)) {
            failures.add(label + " -> " + status + " but " + guard.what + " changed: " + before + " -> " + guard.read());
        }
    }

    /** What a write operation could change, read straight from the service's database. */
    private record Guard(String what, String db, String sql) {

        static Guard of(String svc, String method, String path, Map<String, String> pathParams) {
            String db = DB.get(svc) + ShopSystem.ENV;
            if (method.equals("POST") && path.equals("/api/v1/orders")) {
                return new Guard("the customer's orders", db, "select count(*) from orders where customer_id = '" + customer + "'");
            }
            if (method.equals("PUT") && path.startsWith("/api/v1/products")) {
                return new Guard("the products", db, "select count(*) || ':' || coalesce(max(name || price || available) filter (where sku = '"
                        + sku + "'), '') from product");
            }
            if (method.equals("PUT") && path.startsWith("/api/v1/accounts")) {
                return new Guard("the accounts", db, "select count(*) || ':' || coalesce(max(credit) filter (where customer_id = '"
                        + customer + "'), 0) from account");
            }
            if (method.equals("POST") && path.startsWith("/admin/dead-letters")) {
                // Only an operator action resolves a dead letter; parking new ones may happen at any time.
                return new Guard("the resolved dead letters", db, "select count(*) filter (where status <> 'PENDING') from dead_letter");
            }
            return null;
        }

        String read() {
            try (var st = connection(db).createStatement(); var rs = st.executeQuery(sql)) {
                rs.next();
                return String.valueOf(rs.getString(1));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("reading " + what + " from " + db + " failed", e);
            }
        }
    }

    private static final Map<String, java.sql.Connection> CONNECTIONS = new java.util.HashMap<>();

    /** The superuser's view of a service database (local trust auth, as ShopSystem.psql uses). */
    private static java.sql.Connection connection(String db) throws java.sql.SQLException {
        java.sql.Connection c = CONNECTIONS.get(db);
        if (c == null || c.isClosed()) {
            c = java.sql.DriverManager.getConnection("jdbc:postgresql://" + System.getenv().getOrDefault("PGHOST", "127.0.0.1") + ":"
                    + System.getenv().getOrDefault("PGPORT", "5432") + "/" + db, System.getenv().getOrDefault("PG_SUPERUSER", "postgres"), "");
            c.setAutoCommit(true);
            CONNECTIONS.put(db, c);
        }
        return c;
    }

    private static String encode(String value) {
        return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String expand(String template, Map<String, String> params) {
        String path = template;
        for (var p : params.entrySet()) {
            path = path.replace("{" + p.getKey() + "}", encode(p.getValue()));
        }
        return path;
    }

    private static String queryString(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("?");
        query.forEach((k, v) -> sb.append(sb.length() > 1 ? "&" : "").append(encode(k)).append('=').append(encode(v)));
        return sb.toString();
    }

    /** A valid value for a path or query parameter, so that the other parameters' mutations reach the code behind. */
    private static String baselineParam(String name, JsonNode schema) {
        return switch (name) {
            case "sku" -> sku;
            case "customerId" -> customer;
            case "id", "orderId" -> "uuid".equals(schema.path("format").asText()) && !name.equals("orderId") ? UUID.randomUUID().toString() : orderId;
            case "limit" -> "10";
            case "status" -> schema.has("enum") ? schema.path("enum").get(0).asText() : "PENDING";
            default -> schema.has("enum") ? schema.path("enum").get(0).asText() : "x";
        };
    }

    /** A valid instance of a JSON schema (every property, so that every field gets mutated). */
    private static JsonNode baseline(JsonNode doc, JsonNode schema, String name) {
        schema = resolve(doc, schema);
        if (schema.has("enum")) {
            return schema.path("enum").get(0);
        }
        String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
        return switch (type) {
            case "object" -> {
                ObjectNode o = F.objectNode();
                schema.path("properties").fields().forEachRemaining(e -> {
                    if (!e.getValue().path("readOnly").asBoolean(false)) {
                        o.set(e.getKey(), baseline(doc, e.getValue(), e.getKey()));
                    }
                });
                yield o;
            }
            case "array" -> F.arrayNode().add(baseline(doc, schema.path("items"), name));
            case "integer" -> F.numberNode(name.equals("available") ? 0 : Math.max(1, schema.path("minimum").asInt(1)));
            case "number" -> F.numberNode(new java.math.BigDecimal("1.00"));
            case "boolean" -> F.booleanNode(false);
            default -> "date-time".equals(schema.path("format").asText())
                    // A valid, narrow window (a republish of it touches at most the last second's events).
                    ? F.textNode(java.time.Instant.now().minusSeconds(name.equals("until") ? 0 : 1).toString())
                    : switch (name) {
                case "customerId" -> F.textNode(customer);
                case "sku" -> F.textNode(orderSku);
                case "callbackUrl" -> F.nullNode();
                default -> F.textNode("fuzz");
            };
        };
    }

    private static JsonNode resolve(JsonNode doc, JsonNode schema) {
        while (schema.has("$ref")) {
            String ref = schema.path("$ref").asText();
            schema = doc.at(ref.substring(1));
        }
        if (schema.has("allOf") && schema.path("allOf").size() == 1) {
            return resolve(doc, schema.path("allOf").get(0));
        }
        return schema;
    }

    private static List<String> fieldPointers(JsonNode node, String prefix) {
        List<String> out = new ArrayList<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(f -> {
                out.add(prefix + "/" + f);
                out.addAll(fieldPointers(node.get(f), prefix + "/" + f));
            });
        } else if (node.isArray() && !node.isEmpty()) {
            out.add(prefix + "/0");
            out.addAll(fieldPointers(node.get(0), prefix + "/0"));
        }
        return out;
    }

    private static void set(JsonNode root, String pointer, JsonNode value) {
        int cut = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, cut));
        String key = pointer.substring(cut + 1);
        if (parent instanceof ObjectNode o) {
            o.set(key, value);
        } else if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(key), value);
        }
    }

    private static void remove(JsonNode root, String pointer) {
        int cut = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, cut));
        String key = pointer.substring(cut + 1);
        if (parent instanceof ObjectNode o) {
            o.remove(key);
        } else if (parent instanceof ArrayNode a) {
            a.remove(Integer.parseInt(key));
        }
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
