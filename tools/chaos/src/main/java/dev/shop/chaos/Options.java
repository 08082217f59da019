package dev.shop.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Command-line options of {@code ./shop chaos}; every address and port has a default for this machine. */
public record Options(int orders, double rate, long seed, Set<FaultKind> faults, Path root, String env,
                      int basePort, String pgHost, int pgPort, String pgSuperuser, String pgCluster,
                      String amqpHost, int amqpPort, String rabbitApi,
                      Duration sagaTimeout, Duration recovery, Duration quietTimeout, Duration warmup, double meanFaultGapSeconds,
                      int skus, int customers, String javaOpts, String sabotage, boolean help) {

    public static final String USAGE = """
            Usage: ./shop chaos [--orders N] [--rate R] [--seed S] [--faults LIST] [options]

            Starts two instances of every service (competing consumers, both relays, both schedulers), each
            behind its own NetCrusher TCP proxies to the broker and to PostgreSQL, drives N orders open-loop at
            R orders/s through order-svc's public API (bearer tokens, round robin over both instances), runs a
            seeded nemesis that overlaps faults, heals everything, waits until the system is quiet, replays the
            dead letters, and checks every order and every invariant. Exits 1 on any violation (naming orders).
            The same seed gives the same fault schedule (printed before the run).

              --orders N             orders to place (default 1000)
              --rate R               orders per second, open loop (default 8)
              --seed S               nemesis seed (default: random, printed)
              --faults LIST          comma-separated fault kinds (default: all):
                                     %s
              --fault-gap SECONDS    mean time between fault starts (default 4)
              --warmup D             load without faults first, while the JVMs compile (default 30s)
              --saga-timeout D       order-svc's saga deadline, e.g. 30s (default 30s)
              --recovery D           time allowed beyond the deadline to reach a terminal state (default 90s)
              --quiet-timeout D      how long to wait for the healed system to go quiet (default 300s)
              --skus N, --customers N  catalogue size and customer count (defaults 12, 40)
              --env NAME             databases shop_<svc>_<env>, vhost shop-<env> (default chaos; scripts/chaos.sh resets them)
              --base-port P          instance HTTP ports P+1..P+4 and P+11..P+14, management +100,
                                     proxies P+1000.. (AMQP) and P+2000.. (PostgreSQL), callback receiver P+50 (default 20080)
              --pg HOST:PORT         PostgreSQL (default 127.0.0.1:5432); --pg-superuser NAME (postgres)
              --pg-cluster VER/NAME  cluster restarted by pg_ctlcluster (default 15/main)
              --amqp HOST:PORT       RabbitMQ AMQP 1.0 (default 127.0.0.1:5672)
              --rabbit-api URL       management API (default http://127.0.0.1:15672/api)
              --root DIR             repository root (default .)
              --java-opts "..."      JVM options of every service instance (default -Xmx256m -XX:+UseSerialGC)
              --sabotage WHAT        break the data on purpose after the run, before the check, to see the checker
                                     fail: delete-payment (one CONFIRMED order's payment row), oversell (one unit
                                     of stock appears)
              -h, --help             this text
            """.formatted(String.join(",", FaultKind.names()));

    public static Options parse(String... args) {
        int orders = 1000;
        double rate = 8;
        long seed = new java.security.SecureRandom().nextInt(1_000_000);
        Set<FaultKind> faults = EnumSet.allOf(FaultKind.class);
        Path root = Path.of(".");
        String env = "chaos";
        int basePort = 20080;
        String pgHost = "127.0.0.1";
        int pgPort = 5432;
        String pgSuper = "postgres";
        String pgCluster = "15/main";
        String amqpHost = "127.0.0.1";
        int amqpPort = 5672;
        String rabbitApi = "http://127.0.0.1:15672/api";
        Duration sagaTimeout = Duration.ofSeconds(30);
        Duration recovery = Duration.ofSeconds(90);
        Duration quiet = Duration.ofSeconds(300);
        Duration warmup = Duration.ofSeconds(30);
        double gap = 4;
        int skus = 12;
        int customers = 40;
        String javaOpts = "-Xmx256m -XX:+UseSerialGC";
        String sabotage = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> help = true;
                case "--orders" -> orders = positive(a, Integer.parseInt(value(args, ++i, a)));
                case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--faults" -> faults = FaultKind.parseList(value(args, ++i, a));
                case "--fault-gap" -> gap = Double.parseDouble(value(args, ++i, a));
                case "--saga-timeout" -> sagaTimeout = duration(value(args, ++i, a));
                case "--recovery" -> recovery = duration(value(args, ++i, a));
                case "--quiet-timeout" -> quiet = duration(value(args, ++i, a));
                case "--warmup" -> warmup = duration(value(args, ++i, a));
                case "--skus" -> skus = positive(a, Integer.parseInt(value(args, ++i, a)));
                case "--customers" -> customers = positive(a, Integer.parseInt(value(args, ++i, a)));
                case "--env" -> env = value(args, ++i, a);
                case "--base-port" -> basePort = Integer.parseInt(value(args, ++i, a));
                case "--pg" -> {
                    String[] hp = value(args, ++i, a).split(":");
                    pgHost = hp[0];
                    pgPort = Integer.parseInt(hp[1]);
                }
                case "--pg-superuser" -> pgSuper = value(args, ++i, a);
                case "--pg-cluster" -> pgCluster = value(args, ++i, a);
                case "--amqp" -> {
                    String[] hp = value(args, ++i, a).split(":");
                    amqpHost = hp[0];
                    amqpPort = Integer.parseInt(hp[1]);
                }
                case "--rabbit-api" -> rabbitApi = value(args, ++i, a);
                case "--root" -> root = Path.of(value(args, ++i, a));
                case "--java-opts" -> javaOpts = value(args, ++i, a);
                case "--sabotage" -> {
                    sabotage = value(args, ++i, a);
                    if (!sabotage.equals("delete-payment") && !sabotage.equals("oversell")) {
                        throw new IllegalArgumentException("--sabotage is delete-payment or oversell");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
            }
        }
        if (rate <= 0) {
            throw new IllegalArgumentException("--rate must be > 0");
        }
        if (!env.matches("[a-z0-9]+") || "dev".equals(env)) {
            throw new IllegalArgumentException("--env must be lower-case letters/digits and not dev (its databases are reset)");
        }
        return new Options(orders, rate, seed, faults, root.toAbsolutePath().normalize(), env, basePort, pgHost, pgPort, pgSuper, pgCluster,
                amqpHost, amqpPort, rabbitApi, sagaTimeout, recovery, quiet, warmup, gap, skus, customers, javaOpts, sabotage, help);
    }

    /** How long the load runs: the nemesis schedules faults inside this window. */
    public Duration loadDuration() {
        return Duration.ofMillis((long) Math.ceil(orders * 1000.0 / rate));
    }

    /** The part of the load the nemesis works in: after the warm-up (at least 20 s of it). */
    public Duration faultWindow() {
        return Duration.ofMillis(Math.max(20_000, loadDuration().toMillis() - warmup.toMillis()));
    }

    public String vhost() {
        return "shop-" + env;
    }

    public String database(String svc) {
        return "shop_" + svc + "_" + env;
    }

    public List<String> pgClusterParts() {
        String[] p = pgCluster.split("/");
        if (p.length != 2) {
            throw new IllegalArgumentException("--pg-cluster must be VERSION/NAME, e.g. 15/main");
        }
        return new ArrayList<>(List.of(p));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value (see --help)");
        }
        return args[i];
    }

    private static int positive(String option, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(option + " must be > 0");
        }
        return v;
    }

    /** 30s, 500ms, 2m, or plain seconds. */
    static Duration duration(String s) {
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }
}
