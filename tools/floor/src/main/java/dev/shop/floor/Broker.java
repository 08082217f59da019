package dev.shop.floor;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

/**
 * The floor's own vhost on RabbitMQ, through the management API (as scripts/lib.sh's apply_topology
 * does): created with shop's real topology (topology/definitions.json: the same quorum queues, with
 * the same arguments, and the same bindings) plus a tap queue for completed orders, and deleted after.
 */
final class Broker {

    static final String TAP = "floor.tap";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String api;
    private final String auth;
    private final String user;
    private final String vhost;

    Broker(String api, String user, String password, String vhost) {
        this.api = api;
        this.user = user;
        this.auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.vhost = URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    }

    /** Fresh vhost: deleted if it exists, then created with the topology and the tap (bound to the terminal events). */
    void create(Path definitions) throws IOException, InterruptedException {
        delete();
        send("PUT", "/vhosts/" + vhost, "{}");
        send("PUT", "/permissions/" + vhost + "/" + URLEncoder.encode(user, StandardCharsets.UTF_8),
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        send("POST", "/definitions/" + vhost, Files.readString(definitions));
        // As the benchmark's tap: a classic, non-durable queue for order.confirmed / order.cancelled only.
        send("PUT", "/queues/" + vhost + "/" + TAP, "{\"durable\":false,\"auto_delete\":false,\"arguments\":{}}");
        for (String key : new String[] {"order.confirmed", "order.cancelled"}) {
            send("POST", "/bindings/" + vhost + "/e/shop.events/q/" + TAP, "{\"routing_key\":\"" + key + "\"}");
        }
    }

    void delete() throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request("DELETE", "/vhosts/" + vhost, null), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 300 && res.statusCode() != 404) {
            throw new IOException("DELETE vhost -> " + res.statusCode() + " " + res.body());
        }
    }

    /** Messages still in a queue (0 when it is gone). */
    int depth(String queue) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request("GET", "/queues/" + vhost + "/" + URLEncoder.encode(queue, StandardCharsets.UTF_8)
                + "?columns=messages", null), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 404) {
            return 0;
        }
        String body = res.body();
        int i = body.indexOf("\"messages\":");
        return i < 0 ? 0 : Integer.parseInt(body.substring(i + 11).replaceAll("[^0-9].*$", ""));
    }

    private void send(String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> res = http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() >= 300) {
            throw new IOException(method + " " + api + path + " -> " + res.statusCode() + " " + res.body());
        }
    }

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(30))
                .header("authorization", auth).header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
