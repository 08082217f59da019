package dev.shop.system;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A minimal OTLP/HTTP trace receiver for the end-to-end suite: the four services export their spans
 * here (http/protobuf). It keeps the raw export requests and answers which services sent spans of
 * a given trace: a request carries the trace id as 16 raw bytes and its service.name as a string.
 */
final class OtlpReceiver {

    private final HttpServer server;
    private final List<byte[]> exports = new CopyOnWriteArrayList<>();

    OtlpReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.createContext("/", exchange -> { // OTLP/HTTP posts to /v1/traces
            exports.add(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
            exchange.close();
        });
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The services (by service.name) that exported at least one span of this trace. */
    Set<String> servicesWithSpansOf(String traceIdHex, Set<String> serviceNames) {
        byte[] traceId = HexFormat.of().parseHex(traceIdHex);
        Set<String> found = new TreeSet<>();
        for (byte[] body : exports) {
            if (indexOf(body, traceId) >= 0) {
                for (String name : serviceNames) {
                    if (indexOf(body, name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) >= 0) {
                        found.add(name);
                    }
                }
            }
        }
        return found;
    }

    int exportCount() {
        return exports.size();
    }

    void stop() {
        server.stop(0);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
