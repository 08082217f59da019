package dev.shop.chaos;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Two instances of every service as OS processes ({@code <svc>-svc/target/quarkus-app/quarkus-run.jar}),
 * with the environment scripts/lib.sh's service_env gives, except that the broker and the database
 * are reached through the instance's own proxies. Instance names: {@code order-0}, {@code order-1}, ...
 */
public final class Instances implements AutoCloseable {

    private final Options options;
    private final Path logs;
    private final Map<String, Map<String, String>> secrets = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> envs = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Instances(Options options, Path logs, Tokens tokens) throws IOException {
        this.options = options;
        this.logs = logs;
        Files.createDirectories(logs);
        Path monitorToken = logs.resolve("correctness-monitor.token");
        Files.writeString(monitorToken, tokens.mint("correctness-monitor", List.of("operator"), Duration.ofHours(12)));
        for (String svc : Nemesis.SERVICES) {
            secrets.put(svc, readEnvFile(options.root().resolve(".secrets/" + svc + "-svc.env")));
        }
        for (String svc : Nemesis.SERVICES) {
            for (int i = 0; i < 2; i++) {
                envs.put(name(svc, i), environment(svc, i, monitorToken));
            }
        }
    }

    public static String name(String svc, int i) {
        return svc + "-" + i;
    }

    public static List<String> all() {
        List<String> all = new ArrayList<>();
        for (String svc : Nemesis.SERVICES) {
            all.add(name(svc, 0));
            all.add(name(svc, 1));
        }
        return all;
    }

    public int httpPort(String instance) {
        return httpPort(options, instance);
    }

    static int httpPort(Options o, String instance) {
        return o.basePort() + 10 * index(instance) + Nemesis.SERVICES.indexOf(service(instance)) + 1;
    }

    public static int amqpProxyPort(Options o, String instance) {
        return httpPort(o, instance) + 1000;
    }

    public static int pgProxyPort(Options o, String instance) {
        return httpPort(o, instance) + 2000;
    }

    public String url(String instance) {
        return "http://127.0.0.1:" + httpPort(instance);
    }

    public static String service(String instance) {
        return instance.substring(0, instance.indexOf('-'));
    }

    static int index(String instance) {
        return Integer.parseInt(instance.substring(instance.indexOf('-') + 1));
    }

    private Map<String, String> environment(String svc, int i, Path monitorToken) {
        String instance = name(svc, i);
        Map<String, String> env = new LinkedHashMap<>(secrets.get(svc));
        int port = httpPort(instance);
        String db = options.database(svc);
        int pg = pgProxyPort(options, instance);
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("SHOP_MANAGEMENT_PORT", String.valueOf(port + 100));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + pg + "/" + db);
        env.put("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + pg + "/" + db);
        env.put("AMQP_HOST", "127.0.0.1");
        env.put("AMQP_PORT", String.valueOf(amqpProxyPort(options, instance)));
        env.put("SHOP_AMQP_VIRTUAL_HOST", options.vhost());
        env.put("SHOP_JWT_PUBLIC_KEY_LOCATION", options.root().resolve(".secrets/jwt/public.pem").toString());
        env.put("SHOP_LOG_JSON", "false");
        if ("order".equals(svc)) {
            env.put("SHOP_CORRECTNESS_TOKEN_FILE", monitorToken.toString());
            env.put("SHOP_OPS_PEERS_INVENTORY", "http://127.0.0.1:" + httpPort(name("inventory", i)));
            env.put("SHOP_OPS_PEERS_BILLING", "http://127.0.0.1:" + httpPort(name("billing", i)));
            env.put("SHOP_OPS_PEERS_NOTIFICATION", "http://127.0.0.1:" + httpPort(name("notification", i)));
            env.put("SHOP_ORDER_SAGA_TIMEOUT", options.sagaTimeout().toSeconds() + "s");
            // The load comes from a few customers at a high rate: the per-customer limit is not under test here.
            env.put("SHOP_ORDER_RATE_LIMIT_CAPACITY", "100000");
            env.put("SHOP_ORDER_RATE_LIMIT_PER_SECOND", "100000");
            // Shedding (ADR 0006) must trip at this load when a consumer is slow: the default 200 overdue is
            // more than a chaos run's rate can pile up in one slow-consumer window.
            env.put("SHOP_ORDER_ADMISSION_MAX_OVERDUE", "40");
        }
        // The callback receiver is on loopback: order-svc accepts and notification-svc calls private addresses.
        env.put("SHOP_CALLBACKS_ALLOW_PRIVATE", "true");
        if ("notification".equals(svc)) {
            env.put("SHOP_CALLBACK_SECRET", "chaos-callback-secret");
        }
        return env;
    }

    public synchronized void start(String instance) throws IOException {
        Process old = processes.get(instance);
        if (old != null && old.isAlive()) {
            return;
        }
        String svc = service(instance);
        Path jar = options.root().resolve(svc + "-svc/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (./mvnw package -DskipTests)");
        }
        List<String> cmd = new ArrayList<>(List.of("java"));
        cmd.addAll(List.of(options.javaOpts().trim().split("\\s+")));
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(instance + ".log").toFile()))
                .directory(new File(options.root().toString()));
        pb.environment().putAll(envs.get(instance));
        processes.put(instance, pb.start());
    }

    /** The running process's id (changes with every start), or -1. */
    public synchronized long pid(String instance) {
        Process p = processes.get(instance);
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    public synchronized boolean running(String instance) {
        Process p = processes.get(instance);
        return p != null && p.isAlive();
    }

    /** SIGKILL: no shutdown, in-flight messages unacknowledged, transactions cut. */
    public void kill9(String instance) {
        Process p;
        synchronized (this) {
            p = processes.get(instance);
        }
        if (p != null) {
            p.destroyForcibly();
            waitFor(p, 10);
        }
    }

    /** SIGTERM: graceful shutdown (quarkus.shutdown.timeout), SIGKILL after 40 s. */
    public void stop(String instance) {
        Process p;
        synchronized (this) {
            p = processes.get(instance);
        }
        if (p != null) {
            p.destroy();
            if (!waitFor(p, 40)) {
                p.destroyForcibly();
                waitFor(p, 10);
            }
        }
    }

    public boolean ready(String instance) {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (httpPort(instance) + 100) + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until the instance reports ready; false after {@code timeout} or when it exited. */
    public boolean awaitReady(String instance, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!running(instance)) {
                return false;
            }
            if (ready(instance)) {
                return true;
            }
            sleep(500);
        }
        return false;
    }

    public Path log(String instance) {
        return logs.resolve(instance + ".log");
    }

    @Override
    public void close() {
        List<Process> all;
        synchronized (this) {
            all = new ArrayList<>(processes.values());
            processes.clear();
        }
        all.forEach(Process::destroy);
        for (Process p : all) {
            if (!waitFor(p, 30)) {
                p.destroyForcibly();
                waitFor(p, 10);
            }
        }
    }

    private static boolean waitFor(Process p, int seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, String> readEnvFile(Path path) throws IOException {
        if (!Files.isReadable(path)) {
            throw new IllegalStateException(path + " is missing: run ./shop infra first (it creates the services' credentials)");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return values;
    }
}
