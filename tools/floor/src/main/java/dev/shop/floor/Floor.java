package dev.shop.floor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./shop bench --floor}: runs the floor ({@link FloorRun}) at the given rates against its own
 * vhost and database and prints CPU per completed order by process ({@link ProcCpu}), with latency.
 * With {@code --compare FILE} (the CPU file a shop benchmark run wrote) it also prints shop / floor.
 */
public final class Floor {

    static final String USAGE = """
            Usage: ./shop bench --floor [options]     (or: java -cp ... dev.shop.floor.Floor [options])

            The floor: the broker and database work one order cannot avoid with shop's design (5 persistent,
            confirmed publishes to shop.events; 7 deliveries from the services' quorum queues, each acked after
            its commit; 13 PostgreSQL commits of the services' row shapes; see SagaPlan), done by a plain
            program (AMQP 1.0 via vertx-proton, JDBC) at fixed rates. Reports CPU ms per completed order for
            the floor's JVM, RabbitMQ (beam.smp) and PostgreSQL (postmaster + every backend), from /proc.

              --rates 30,60          offered orders/s, one window each (default 30,60)
              --duration 60          seconds per rate (default 60)
              --warmup 30            seconds at 20 orders/s first, not measured (JIT), default 30
              --batch 32             deliveries per transaction at most, as shop's consumers (default 32)
              --credits 64           AMQP link credit per receiver (default 64)
              --vhost shop-floor     RabbitMQ vhost, created from --topology and deleted after
              --database shop_floor  PostgreSQL database, created and dropped after
              --keep                 keep the vhost and database afterwards (to inspect them)
              --topology FILE        RabbitMQ definitions (default topology/definitions.json)
              --cpu-out FILE         write the CPU figures (tab-separated) to FILE
              --compare FILE         a shop run's CPU file (./shop bench --cpu-out): print shop / floor per rate
              --help

            Environment: RABBIT_API (http://127.0.0.1:15672/api), AMQP_HOST/AMQP_PORT (127.0.0.1:5672),
            RABBIT_ADMIN_USER/RABBIT_ADMIN_PASS (default: .secrets/rabbitmq-admin.env, as ./shop writes it),
            PGHOST/PGPORT (127.0.0.1:5432), PG_SUPERUSER (postgres; the floor connects without a password, as
            ./shop's scripts do).
            """;

    record Options(List<Integer> rates, int seconds, int warmup, int batch, int credits, String vhost, String database, boolean keep,
                   Path topology, Path cpuOut, Path compare) {

        static Options parse(String... args) {
            List<Integer> rates = List.of(30, 60);
            int seconds = 60;
            int warmup = 30;
            int batch = 32;
            int credits = 64;
            String vhost = "shop-floor";
            String database = "shop_floor";
            boolean keep = false;
            Path topology = Path.of("topology/definitions.json");
            Path cpuOut = null;
            Path compare = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--keep")) {
                    keep = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value (see --help)");
                }
                String v = args[++i];
                switch (a) {
                    case "--rates" -> rates = Arrays.stream(v.split(",")).map(String::trim).map(Integer::parseInt).toList();
                    case "--duration" -> seconds = Integer.parseInt(v);
                    case "--warmup" -> warmup = Integer.parseInt(v);
                    case "--batch" -> batch = Integer.parseInt(v);
                    case "--credits" -> credits = Integer.parseInt(v);
                    case "--vhost" -> vhost = v;
                    case "--database" -> database = v;
                    case "--topology" -> topology = Path.of(v);
                    case "--cpu-out" -> cpuOut = Path.of(v);
                    case "--compare" -> compare = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                }
            }
            if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0) || seconds <= 0 || warmup < 0 || batch <= 0 || credits <= 0) {
                throw new IllegalArgumentException("rates, --duration, --batch and --credits must be positive, --warmup not negative");
            }
            if (!database.matches("[a-z_][a-z0-9_]*")) {
                throw new IllegalArgumentException("--database must be a plain lower-case name: " + database);
            }
            return new Options(rates, seconds, warmup, batch, credits, vhost, database, keep, topology, cpuOut, compare);
        }
    }

    private Floor() {
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(USAGE);
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("floor: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<CpuReport.Sample> cpu = new ArrayList<>();
        List<FloorRun.Result> results = new ArrayList<>();
        Environment env = Environment.fromSystem();
        String serverUrl = "jdbc:postgresql://" + env.pgHost() + ":" + env.pgPort();
        Broker broker = new Broker(env.rabbitApi(), env.rabbitUser(), env.rabbitPassword(), o.vhost());
        ProcCpu procs = accounting(serverUrl, env.pgUser(), o.database());
        System.out.println("machine load before: " + loadAverage());
        try (FloorRun floor = new FloorRun(new FloorRun.Settings(env.amqpHost(), env.amqpPort(), env.rabbitUser(), env.rabbitPassword(), o.vhost(),
                serverUrl + "/" + o.database(), env.pgUser(), o.batch(), o.credits()))) {
            broker.create(o.topology());
            Schema.create(serverUrl, env.pgUser(), o.database(), FloorRun.skus(floor.runId()), FloorRun.customers(floor.runId()));
            floor.start();
            Map<String, Long> work0 = work(env, serverUrl, o);
            if (o.warmup() > 0) {
                System.out.println("floor: warming up at 20 orders/s for " + o.warmup() + " s ...");
                floor.runAt(20, o.warmup());
            }
            System.out.println(CpuReport.background(procs, 10));
            for (int rate : o.rates()) {
                System.out.println("floor: " + rate + " orders/s for " + o.seconds() + " s ...");
                Map<String, Long> before = procs.snapshot();
                long t0 = System.nanoTime();
                FloorRun.Result r = floor.runAt(rate, o.seconds());
                double seconds = (System.nanoTime() - t0) / 1e9;
                CpuReport.Sample s = new CpuReport.Sample(rate, r.completed(), seconds, ProcCpu.millisBetween(before, procs.snapshot()));
                cpu.add(s);
                results.add(r);
                System.out.printf(Locale.ROOT, "floor %d/s: placed %d, completed %d (%.1f/s), p50 %d ms, p99 %d ms, max %d ms; %.2f ms CPU per order (services' share + broker + PostgreSQL)%n",
                        rate, r.placed(), r.completed(), r.completedPerSec(), r.p50(), r.p99(), r.max(), s.systemPerOrder());
            }
            System.out.println("machine load after: " + loadAverage());
            Thread.sleep(6000); // the management API's message figures are sampled every 5 s
            System.out.println();
            System.out.println("Floor: work per order placed, from PostgreSQL's and RabbitMQ's own statistics (all windows incl. warm-up):");
            System.out.print(WorkCounters.perOrder(work0, work(env, serverUrl, o), floor.placedTotal.get()));
            System.out.println("Floor: work done, counted (all windows incl. warm-up), per order placed:");
            long placed = floor.placedTotal.get();
            System.out.printf(Locale.ROOT, "  publishes confirmed %.2f (plan %d), deliveries acked %.2f (plan %d, + %.2f to the tap), inbox rows %.2f (plan %d),"
                            + " rows inserted %.2f (plan %d), rows updated %.2f (plan %d), commits %.2f (plan %d unbatched: %s)%n",
                    per(floor.published.get(), placed), SagaPlan.PUBLISHES, per(floor.delivered.get(), placed), SagaPlan.DELIVERIES,
                    per(floor.tapDelivered.get(), placed), per(floor.inboxRows.get(), placed), SagaPlan.INBOX_ROWS,
                    per(floor.rowsInserted.get(), placed), SagaPlan.ROWS_INSERTED, per(floor.rowsUpdated.get(), placed), SagaPlan.ROWS_UPDATED,
                    per(floor.commits.values().stream().mapToLong(java.util.concurrent.atomic.AtomicLong::get).sum(), placed), SagaPlan.COMMITS,
                    floor.commits.entrySet().stream().map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2f", per(e.getValue().get(), placed))).toList());
        } finally {
            if (!o.keep()) {
                try {
                    broker.delete();
                    Schema.drop(serverUrl, env.pgUser(), o.database());
                } catch (Exception e) {
                    System.err.println("floor: cleaning up failed (" + e + "); remove vhost " + o.vhost() + " and database " + o.database() + " by hand");
                }
            }
        }
        System.out.println();
        System.out.println("| offered orders/s | duration s | placed | completed | completed orders/s | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (FloorRun.Result r : results) {
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %.1f | %d | %d | %d |%n", r.rate(), r.seconds(), r.placed(), r.completed(),
                    r.completedPerSec(), r.p50(), r.p99(), r.max());
        }
        System.out.println();
        System.out.println("Floor CPU per completed order:");
        System.out.print(CpuReport.table(cpu));
        if (o.cpuOut() != null) {
            CpuReport.write(o.cpuOut(), cpu);
        }
        if (o.compare() != null) {
            if (Files.exists(o.compare())) {
                List<CpuReport.Sample> shop = CpuReport.read(o.compare());
                System.out.println();
                System.out.println("Shop CPU per completed order (from " + o.compare() + "):");
                System.out.print(CpuReport.table(shop));
                System.out.println();
                System.out.println("Shop / floor (services + broker + PostgreSQL per completed order):");
                System.out.print(CpuReport.ratio(shop, cpu));
            } else {
                System.out.println("no shop CPU file at " + o.compare() + ": run ./shop bench first (or ./shop bench --compare)");
            }
        }
        System.exit(0);
    }

    private static Map<String, Long> work(Environment env, String serverUrl, Options o) throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>(WorkCounters.postgres(serverUrl, env.pgUser(), "^" + o.database() + "$"));
        out.putAll(WorkCounters.rabbit(env.rabbitApi(), env.rabbitUser(), env.rabbitPassword(), o.vhost()));
        return out;
    }

    private static double per(long n, long orders) {
        return orders == 0 ? 0 : (double) n / orders;
    }

    /** The floor's own JVM, the broker and PostgreSQL (its postmaster found through the server's data directory). */
    static ProcCpu accounting(String serverUrl, String pgUser, String database) throws Exception {
        long rabbit = ProcCpu.rabbitMq().orElseThrow(() -> new IllegalStateException("no RabbitMQ (beam.smp) process on this machine"));
        long postmaster = postmaster(serverUrl, pgUser);
        long self = ProcCpu.self();
        return new ProcCpu()
                .group("floor JVM (4 roles + load)", () -> List.of(self))
                .group("broker (beam.smp)", () -> List.of(rabbit))
                .ticks("PostgreSQL (" + database + " backends + shared)", ProcCpu.postgres(postmaster, database::equals));
    }

    public static long postmaster(String serverUrl, String pgUser) throws Exception {
        try (Connection c = DriverManager.getConnection(serverUrl + "/postgres", pgUser, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("show data_directory")) {
            rs.next();
            return ProcCpu.postmaster(Path.of(rs.getString(1)));
        }
    }

    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " (1, 5, 15 min; runnable/total; last pid)";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Where the broker and the database are, and the credentials to reach them. */
    record Environment(String rabbitApi, String amqpHost, int amqpPort, String rabbitUser, String rabbitPassword, String pgHost, int pgPort, String pgUser) {

        static Environment fromSystem() throws IOException {
            Map<String, String> env = System.getenv();
            String user = env.get("RABBIT_ADMIN_USER");
            String password = env.get("RABBIT_ADMIN_PASS");
            if (user == null || password == null) {
                Path secrets = Path.of(System.getProperty("shop.root", ".")).resolve(".secrets/rabbitmq-admin.env");
                if (!Files.exists(secrets)) {
                    throw new IllegalStateException(secrets + " missing and RABBIT_ADMIN_USER/RABBIT_ADMIN_PASS not set: run ./shop infra first");
                }
                for (String line : Files.readAllLines(secrets)) {
                    if (line.startsWith("RABBIT_ADMIN_USER=") && user == null) {
                        user = line.substring(line.indexOf('=') + 1);
                    } else if (line.startsWith("RABBIT_ADMIN_PASS=") && password == null) {
                        password = line.substring(line.indexOf('=') + 1);
                    }
                }
            }
            return new Environment(env.getOrDefault("RABBIT_API", "http://127.0.0.1:15672/api"), env.getOrDefault("AMQP_HOST", "127.0.0.1"),
                    Integer.parseInt(env.getOrDefault("AMQP_PORT", "5672")), user, password, env.getOrDefault("PGHOST", "127.0.0.1"),
                    Integer.parseInt(env.getOrDefault("PGPORT", "5432")), env.getOrDefault("PG_SUPERUSER", "postgres"));
        }
    }
}
