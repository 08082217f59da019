package dev.shop.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine-global parts: the local RabbitMQ (rabbitmqctl, rabbitmq-server, its management API as
 * shop-admin) and PostgreSQL (pg_ctlcluster; JDBC as the local superuser, trust auth on loopback, as
 * scripts/lib.sh's pg_super). Faults stop them; {@link #restore()} brings them back whatever happened.
 */
public final class Infra {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final String rabbitAuth;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public Infra(Options options) throws IOException {
        this.options = options;
        Map<String, String> admin = Instances.readEnvFile(options.root().resolve(".secrets/rabbitmq-admin.env"));
        this.rabbitAuth = "Basic " + Base64.getEncoder().encodeToString((admin.get("RABBIT_ADMIN_USER") + ":" + admin.get("RABBIT_ADMIN_PASS"))
                .getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ PostgreSQL

    public Connection db(String svc) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + options.pgHost() + ":" + options.pgPort() + "/" + options.database(svc)
                + "?connectTimeout=5&socketTimeout=60", options.pgSuperuser(), "");
    }

    public void pgStopImmediate() {
        List<String> c = options.pgClusterParts();
        run(60, "pg_ctlcluster", "--skip-systemctl-redirect", c.get(0), c.get(1), "stop", "-m", "immediate");
    }

    public void pgStart() {
        List<String> c = options.pgClusterParts();
        run(120, "pg_ctlcluster", "--skip-systemctl-redirect", c.get(0), c.get(1), "start");
        awaitTrue(Duration.ofSeconds(60), this::pgReady);
    }

    public boolean pgReady() {
        return run(10, "pg_isready", "-h", options.pgHost(), "-p", String.valueOf(options.pgPort()), "-q") == 0;
    }

    // ------------------------------------------------------------------ RabbitMQ

    public void brokerStopApp() {
        run(60, "rabbitmqctl", "-q", "stop_app");
    }

    public void brokerStartApp() {
        run(120, "rabbitmqctl", "-q", "start_app");
        awaitTrue(Duration.ofSeconds(60), this::brokerReady);
    }

    /** SIGKILL of the broker's Erlang VM (its own pid, from the broker itself). */
    public void brokerKill() {
        String out = output(20, "rabbitmqctl", "-q", "eval", "os:getpid().");
        String pid = out.replaceAll("[^0-9]", "");
        if (pid.isEmpty()) {
            throw new IllegalStateException("cannot find the broker's pid (rabbitmqctl eval said: " + out + ")");
        }
        run(10, "kill", "-9", pid);
        awaitTrue(Duration.ofSeconds(20), () -> run(5, "kill", "-0", pid) != 0);
    }

    public void brokerStart() {
        run(60, "rabbitmq-server", "-detached");
        awaitTrue(Duration.ofSeconds(120), this::brokerReady);
    }

    /** The node is up with its applications running and the management API answers. */
    public boolean brokerReady() {
        try {
            return get("/overview") != null && run(15, "rabbitmq-diagnostics", "-q", "check_running") == 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    public boolean brokerNodeAlive() {
        return run(15, "rabbitmq-diagnostics", "-q", "ping") == 0;
    }

    /** Messages (ready + unacknowledged) per queue of the vhost. */
    public Map<String, Long> queueDepths() {
        JsonNode queues = get("/queues/" + enc(options.vhost()) + "?columns=name,messages");
        Map<String, Long> depths = new LinkedHashMap<>();
        if (queues != null) {
            for (JsonNode q : queues) {
                depths.put(q.path("name").asText(), q.path("messages").asLong());
            }
        }
        return depths;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(options.rabbitApi() + path)).header("authorization", rabbitAuth)
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Whatever a fault did (or a crash of this tool left): broker running with its app, PostgreSQL accepting. */
    public void restore() {
        if (!pgReady()) {
            System.out.println("restore: starting PostgreSQL");
            pgStart();
        }
        if (!brokerReady()) {
            if (brokerNodeAlive()) {
                System.out.println("restore: rabbitmqctl start_app");
                brokerStartApp();
            } else {
                System.out.println("restore: starting RabbitMQ");
                brokerStart();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static int run(int timeoutSeconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static String output(int timeoutSeconds, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static boolean awaitTrue(Duration timeout, java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Instances.sleep(1000);
        }
        return false;
    }

    static List<String> lines(String s) {
        return new ArrayList<>(s.lines().toList());
    }
}
