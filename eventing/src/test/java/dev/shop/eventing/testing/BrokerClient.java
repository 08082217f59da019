package dev.shop.eventing.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.codec.AMQPDefinedTypes;
import org.apache.qpid.proton.codec.DecoderImpl;
import org.apache.qpid.proton.codec.EncoderImpl;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Test access to the real RabbitMQ through its management HTTP API: publish to an exchange, read or
 * purge a queue, and decode the AMQP 1.0 application properties our services set (dead-letter
 * reasons). Used by every service's @QuarkusTest and by the end-to-end suite.
 */
public final class BrokerClient {

    public static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** A message read from a queue: its body and its AMQP 1.0 application properties. */
    public record Received(String routingKey, String body, Map<String, Object> properties) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }

    private final Map<String, List<Received>> unmatched = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String api;
    private final String auth;
    private final String vhost;

    /** As the tests' own broker user (.secrets/rabbitmq-test.env: all permissions in the test, e2e and bench vhosts only). */
    public BrokerClient(String vhost) {
        this(System.getProperty("shop.rabbit.api", "http://127.0.0.1:15672/api"),
                Secrets.get("rabbitmq-test.env", "RABBIT_TEST_USER"), Secrets.get("rabbitmq-test.env", "RABBIT_TEST_PASS"), vhost);
    }

    public BrokerClient(String api, String user, String password, String vhost) {
        this.api = api;
        this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.vhost = URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    }

    /** A valid structured CloudEvent for {@code type} about {@code orderId}. */
    public static ObjectNode cloudEvent(String type, String orderId, Object data) {
        ObjectNode event = JSON.createObjectNode();
        event.put("specversion", "1.0").put("id", UUID.randomUUID().toString()).put("source", "/test")
                .put("type", type).put("subject", orderId)
                .put("time", OffsetDateTime.now(ZoneOffset.UTC).toString())
                .put("datacontenttype", "application/json");
        event.set("data", JSON.valueToTree(data));
        return event;
    }

    /** Publishes to {@code shop.events} with the routing key; true if it was routed to a queue. */
    public boolean publish(String routingKey, String body) {
        ObjectNode req = JSON.createObjectNode();
        req.putObject("properties").put("delivery_mode", 2).put("content_type", "application/cloudevents+json");
        req.put("routing_key", routingKey).put("payload", body).put("payload_encoding", "string");
        JsonNode res = send("POST", "/exchanges/" + vhost + "/shop.events/publish", req.toString());
        return res.path("routed").asBoolean();
    }

    public boolean publish(ObjectNode cloudEvent) {
        return publish(cloudEvent.path("type").asText(), cloudEvent.toString());
    }

    /** Removes and returns up to {@code max} messages from a queue. */
    public List<Received> take(String queue, int max) {
        ObjectNode req = JSON.createObjectNode().put("count", max).put("ackmode", "ack_requeue_false").put("encoding", "auto");
        JsonNode res = send("POST", "/queues/" + vhost + "/" + queue + "/get", req.toString());
        List<Received> out = new ArrayList<>();
        for (JsonNode m : res) {
            String props = m.path("properties").path("headers").path("x-amqp-1.0-app-properties").asText(null);
            out.add(new Received(m.path("routing_key").asText(), m.path("payload").asText(), decodeAppProperties(props)));
        }
        return out;
    }

    /**
     * Polls a queue until a message matching {@code match} arrives. Messages that do not match are
     * kept (per queue) for later calls, so awaiting B does not lose an A that arrived first.
     */
    public Received await(String queue, Predicate<Received> match, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<Received> kept = unmatched.computeIfAbsent(queue, q -> new ArrayList<>());
        do {
            for (var it = kept.iterator(); it.hasNext(); ) {
                Received r = it.next();
                if (match.test(r)) {
                    it.remove();
                    return r;
                }
            }
            List<Received> fresh = take(queue, 100);
            kept.addAll(fresh);
            if (fresh.isEmpty()) {
                sleep(100);
            }
        } while (System.nanoTime() < end);
        throw new AssertionError("no matching message in " + queue + " within " + timeout + "; saw " + kept);
    }

    /** Messages of {@code queue} already read and not yet matched, plus whatever is in the queue now. */
    public List<Received> drainKept(String queue) {
        List<Received> all = new ArrayList<>(unmatched.getOrDefault(queue, List.of()));
        all.addAll(take(queue, 1000));
        unmatched.remove(queue);
        return all;
    }

    public static Predicate<Received> event(String type, String orderId) {
        return r -> {
            JsonNode j;
            try {
                j = JSON.readTree(r.body());
            } catch (IOException e) {
                return false;
            }
            return type.equals(j.path("type").asText()) && orderId.equals(j.path("subject").asText());
        };
    }

    /**
     * Queue depth from the management API. Its statistics lag by seconds: never use this to decide
     * that a consumer has processed something (publish a sentinel event after it and await its effect).
     */
    public int depth(String queue) {
        return send("GET", "/queues/" + vhost + "/" + queue, null).path("messages").asInt();
    }

    /** A non-durable classic queue bound to {@code shop.events} with {@code #}: a test's tap on every event. */
    /** A plain queue that gets a copy of the events with the given routing keys (all of them if none are given). */
    public void declareTap(String queue, String... routingKeys) {
        send("PUT", "/queues/" + vhost + "/" + queue, "{\"durable\":false,\"auto_delete\":false,\"arguments\":{}}");
        for (String key : routingKeys.length == 0 ? new String[] {"#"} : routingKeys) {
            send("POST", "/bindings/" + vhost + "/e/shop.events/q/" + queue, "{\"routing_key\":\"" + key + "\"}");
        }
    }

    /**
     * The connections to this vhost as the management API lists them (user, peer_host, peer_port, ...).
     * Another user's connections are listed only for a user with the monitoring tag (the tests' user has it).
     */
    public List<JsonNode> connections() {
        List<JsonNode> out = new ArrayList<>();
        send("GET", "/vhosts/" + vhost + "/connections", null).forEach(out::add);
        return out;
    }

    /** Closes a connection as an operator would (management API); the client sees the broker drop it. */
    public void closeConnection(String name) {
        send("DELETE", "/connections/" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"), null);
    }

    /** How many consumers are attached to a queue of this vhost. */
    public int consumers(String queue) {
        return send("GET", "/queues/" + vhost + "/" + queue, null).path("consumers").asInt();
    }

    public void purge(String queue) {
        send("DELETE", "/queues/" + vhost + "/" + queue + "/contents", null);
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", auth).header("content-type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() >= 300) {
                throw new IllegalStateException(method + " " + path + " -> " + res.statusCode() + " " + res.body());
            }
            return res.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(res.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** RabbitMQ 3.x shows an AMQP 1.0 message's application-properties section as base64 of its AMQP encoding. */
    static Map<String, Object> decodeAppProperties(String base64) {
        Map<String, Object> out = new HashMap<>();
        if (base64 == null || base64.isBlank()) {
            return out;
        }
        String clean = base64.replace("Not UTF-8, base64 is: ", "").replaceAll("\\s", "");
        DecoderImpl decoder = new DecoderImpl();
        EncoderImpl encoder = new EncoderImpl(decoder);
        AMQPDefinedTypes.registerAllTypes(decoder, encoder);
        decoder.setByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(clean)));
        Object section = decoder.readObject();
        if (section instanceof ApplicationProperties ap && ap.getValue() != null) {
            ap.getValue().forEach((k, v) -> out.put(String.valueOf(k), v));
        }
        return out;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
