package dev.shop.system;

import dev.shop.eventing.testing.Secrets;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The four packaged services as real OS processes (java -jar target/quarkus-app/quarkus-run.jar),
 * wired to the e2e databases and the {@code shop-e2e} vhost that {@code ./shop test} prepares.
 * Started once per test JVM and shared by every end-to-end test class; tests may kill -9, stop and
 * restart single services.
 */
public final class ShopSystem {

    /** e2e (the test suite) or bench (the benchmark): selects databases shop_<svc>_<env> and vhost shop-<env>. */
    public static final String ENV = System.getProperty("shop.env", "e2e");
    public static final String VHOST = "shop-" + ENV;
    public static final Map<String, Integer> PORTS = new LinkedHashMap<>();

    static {
        int base = "bench".equals(ENV) ? 19080 : 18080;
        PORTS.put("order", base + 1);
        PORTS.put("inventory", base + 2);
        PORTS.put("billing", base + 3);
        PORTS.put("notification", base + 4);
    }

    private static ShopSystem instance;

    /** Every service exports its spans here (OTLP/HTTP), so tests can check what one trace covers. */
    public final OtlpReceiver traces = new OtlpReceiver();

    private final Path root = Path.of(System.getProperty("shop.root", "..")).toAbsolutePath().normalize();
    private final Path logs = root.resolve("system-tests/target/" + ENV + "-logs");
    private final Map<String, Process> processes = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    public static synchronized ShopSystem get() {
        if (instance == null) {
            instance = new ShopSystem();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::stopAll));
            for (String svc : PORTS.keySet()) {
                instance.start(svc, Map.of());
            }
            for (String svc : PORTS.keySet()) {
                instance.awaitReady(svc);
            }
        }
        return instance;
    }

    public static String url(String svc) {
        return "http://127.0.0.1:" + PORTS.get(svc);
    }

    /** Health and metrics: the service's management port (its HTTP port + 100, as ./shop up does). */
    public static int managementPort(int port) {
        return port + 100;
    }

    public static String managementUrl(String svc) {
        return "http://127.0.0.1:" + managementPort(PORTS.get(svc));
    }

    public synchronized void start(String svc, Map<String, String> extraEnv) {
        start(svc, svc, PORTS.get(svc), extraEnv);
    }

    /**
     * Starts one more instance of {@code svc} named {@code instance} on {@code port}, sharing the
     * service's database and queue (as a second replica or the next version during a rollout).
     */
    public synchronized void start(String svc, String instance, int port, Map<String, String> extraEnv) {
        Path jar = root.resolve(svc + "-svc/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw verify builds them)");
        }
        try {
            Files.createDirectories(logs);
            List<String> command = new ArrayList<>(List.of("java"));
            // "{svc}" in SHOP_JAVA_OPTS is the service's name: per-service files (an AOT cache, a flight recording).
            command.addAll(List.of(System.getenv().getOrDefault("SHOP_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC").replace("{svc}", svc)
                    .trim().split("\\s+")));
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(instance + "-svc.log").toFile()))
                    .directory(new File(root.toString()));
            Map<String, String> env = pb.environment();
            env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:5432/shop_" + svc + "_" + ENV);
            env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/shop_" + svc + "_" + ENV);
            env.put("SHOP_AMQP_VIRTUAL_HOST", VHOST);
            // The suite plays broken and foreign publishers through the broker as the test user.
            env.put("SHOP_EVENTING_ACCEPT_UNIDENTIFIED_PUBLISHERS", "true");
            // The service's own broker user and database role, as ./shop up passes them (.secrets/<svc>-svc.env).
            env.putAll(Secrets.service(svc));
            env.put("SHOP_MANAGEMENT_PORT", String.valueOf(managementPort(port)));
            env.put("SHOP_JWT_PUBLIC_KEY_LOCATION", root.resolve(".secrets/jwt/public.pem").toString());
            env.put("SHOP_LOG_JSON", "true");
            if (!"bench".equals(ENV)) { // the benchmark measures the services, not the test's receiver
                env.put("SHOP_OTEL_SAMPLE_RATIO", "1.0");
                env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
                env.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", traces.endpoint());
                env.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
            }
            // Rate limits set explicitly: the suite's concurrency tests and the benchmark place many orders per
            // customer at once, which the production default (burst 20, 5/s per customer) would refuse.
            env.put("SHOP_ORDER_RATE_LIMIT_CAPACITY", "bench".equals(ENV) ? "100000" : "1000");
            env.put("SHOP_ORDER_RATE_LIMIT_PER_SECOND", "bench".equals(ENV) ? "100000" : "1000");
            env.put("SHOP_OPS_PEERS_INVENTORY", url("inventory"));
            env.put("SHOP_OPS_PEERS_BILLING", url("billing"));
            env.put("SHOP_OPS_PEERS_NOTIFICATION", url("notification"));
            if ("order".equals(svc)) { // the correctness monitor asks the peers with its own operator token
                env.put("SHOP_CORRECTNESS_TOKEN_FILE", monitorToken().toString());
                if (!"bench".equals(ENV)) { // the benchmark keeps the default period, to measure its real cost
                    env.put("SHOP_CORRECTNESS_PERIOD", "2s");
                    env.put("SHOP_CORRECTNESS_GRACE", "3s");
                    env.put("SHOP_CORRECTNESS_INVARIANTS_PERIOD", "2s");
                }
            }
            env.putAll(extraEnv);
            processes.put(instance, pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + svc, e);
        }
    }

    /** A file with an operator token for order-svc's correctness monitor (as ./shop up mints one into .secrets/). */
    private Path monitorToken() throws IOException {
        Path file = logs.resolve("correctness-monitor.token"); // fresh at every start: test tokens live 30 minutes
        Files.writeString(file, dev.shop.eventing.testing.Tokens.token("correctness-monitor", java.util.Set.of("operator")));
        return file;
    }

    public void awaitReady(String svc) {
        awaitReady(svc, PORTS.get(svc));
    }

    public void awaitReady(String instance, int port) {
        String svc = instance;
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < end) {
            Process p = processes.get(svc);
            if (p != null && !p.isAlive()) {
                throw new IllegalStateException(svc + "-svc exited with " + p.exitValue() + "; see " + logs.resolve(svc + "-svc.log"));
            }
            try {
                HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort(port) + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (res.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        throw new IllegalStateException(svc + "-svc not ready after 90s; see " + logs.resolve(svc + "-svc.log"));
    }

    /** SIGKILL: no shutdown hooks, no graceful drain; in-flight messages stay unacknowledged. */
    public synchronized void kill9(String svc) {
        Process p = processes.remove(svc);
        if (p != null) {
            p.destroyForcibly();
            waitFor(p);
        }
    }

    /** SIGTERM: graceful shutdown. */
    public synchronized void stop(String svc) {
        Process p = processes.remove(svc);
        if (p != null) {
            p.destroy();
            waitFor(p);
        }
    }

    public void restart(String svc, Map<String, String> extraEnv) {
        stop(svc);
        start(svc, extraEnv);
        awaitReady(svc);
    }

    /** The OS process id of a running service instance, or -1. */
    public synchronized long pid(String instance) {
        Process p = processes.get(instance);
        return p == null || !p.isAlive() ? -1 : p.pid();
    }

    /** Resident set size of a service process in KiB (Linux /proc), or -1. */
    public long rssKib(String svc) {
        Process p = processes.get(svc);
        if (p == null) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private synchronized void stopAll() {
        processes.values().forEach(Process::destroy);
        processes.values().forEach(ShopSystem::waitFor);
        processes.clear();
    }

    private static void waitFor(Process p) {
        try {
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Fault injection and schema steps a test needs to make directly in a service's database. */
    static void psql(String db, String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-h", System.getenv().getOrDefault("PGHOST", "127.0.0.1"), "-U",
                System.getenv().getOrDefault("PG_SUPERUSER", "postgres"), "-d", db, "-v", "ON_ERROR_STOP=1", "-qc", sql)
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + sql);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
