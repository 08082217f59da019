package dev.shop.floor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU time of named groups of processes, from {@code /proc/<pid>/stat} (Linux): utime + stime of
 * every process in a group, plus cutime + cstime (CPU of children it has reaped). A group's processes
 * are looked up again at every snapshot. PostgreSQL is counted by database instead ({@link #postgres}):
 * on a machine shared with other work, the postmaster's reaped children are everybody's sessions.
 *
 * <p>Resolution is one clock tick (10 ms with USER_HZ 100): negligible over the thousands of orders of
 * a benchmark window, too coarse for a single order.
 */
public final class ProcCpu {

    /** USER_HZ on Linux (fixed at 100 for the /proc ABI on every architecture Java runs on here). */
    public static final long TICKS_PER_SECOND = 100;

    private final Map<String, LongSupplier> groups = new LinkedHashMap<>();

    /** Adds a group whose processes are {@code pids} (called at every snapshot). Insertion order is report order. */
    public ProcCpu group(String name, Supplier<List<Long>> pids) {
        return ticks(name, () -> pids.get().stream().mapToLong(ProcCpu::ticks).sum());
    }

    /** Adds a group whose CPU ticks so far {@code ticks} computes. */
    public ProcCpu ticks(String name, LongSupplier ticks) {
        groups.put(name, ticks);
        return this;
    }

    public ProcCpu group(String name, long pid) {
        return group(name, () -> List.of(pid));
    }

    /** Group name -> CPU ticks so far (processes that cannot be read count 0). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        groups.forEach((name, ticks) -> out.put(name, ticks.getAsLong()));
        return out;
    }

    /** Milliseconds of CPU per group between two snapshots. */
    public static Map<String, Double> millisBetween(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.forEach((name, ticks) -> out.put(name, (ticks - before.getOrDefault(name, 0L)) * 1000.0 / TICKS_PER_SECOND));
        return out;
    }

    /** utime + stime + cutime + cstime of one process in clock ticks, or 0 when it is gone. */
    public static long ticks(long pid) {
        try {
            return parseTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    /**
     * Fields 14–17 of a stat line. The command name (field 2) is in parentheses and may itself hold
     * spaces and parentheses, so fields are counted from the last ')'.
     */
    static long parseTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime f[12], cutime f[13], cstime f[14]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** utime + stime only: the process's own CPU, without its reaped children's. */
    static long parseOwnTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static final Pattern PG_TITLE = Pattern.compile("^postgres: (?:[^:]+: )?(.*)$");
    private static final List<String> PG_SHARED = List.of("checkpointer", "background writer", "walwriter", "autovacuum launcher",
            "logical replication launcher", "archiver", "startup", "stats");

    /**
     * The part of a PostgreSQL server that works for the databases {@code ours} accepts: the postmaster
     * (its own CPU, not its reaped children's, which would be every tenant's short-lived sessions), the
     * shared background processes (WAL writer, checkpointer, background writer, launchers), autovacuum
     * workers and client backends of those databases (told apart by their process titles,
     * "postgres: 15/main: user database host(port) state"). Other databases' backends and WAL senders
     * (backup streaming) are left out, so another tenant's load on the same server is not counted.
     * Weaker than it looks: a backend of ours that exits between two snapshots loses its CPU (shop's and
     * the floor's connections are pooled and live as long as the run); the shared processes work for
     * every tenant.
     */
    public static LongSupplier postgres(long postmaster, Predicate<String> ours) {
        return () -> {
            long total = ownTicks(postmaster);
            List<Long> pids = withChildren(postmaster);
            for (long pid : pids.subList(1, pids.size())) {
                if (isOurs(cmdline(pid), ours)) {
                    total += ticks(pid);
                }
            }
            return total;
        };
    }

    static boolean isOurs(String cmdline, Predicate<String> ours) {
        Matcher m = PG_TITLE.matcher(cmdline.trim());
        if (!m.matches()) {
            return false;
        }
        String title = m.group(1);
        if (PG_SHARED.stream().anyMatch(title::startsWith)) {
            return true;
        }
        if (title.startsWith("autovacuum worker")) {
            String[] words = title.split("\\s+");
            return words.length > 2 && ours.test(words[2]);
        }
        if (title.startsWith("walsender") || title.startsWith("parallel worker")) {
            return false;
        }
        String[] words = title.split("\\s+"); // user database host(port) state
        return words.length > 1 && ours.test(words[1]);
    }

    static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
        } catch (IOException | RuntimeException gone) {
            return "";
        }
    }

    static long ownTicks(long pid) {
        try {
            return parseOwnTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    static long parentOf(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[1]);
    }

    /** The process itself ({@code /proc/self}). */
    public static long self() {
        return ProcessHandle.current().pid();
    }

    /** A process and its direct children (for PostgreSQL: the postmaster and every backend and auxiliary process). */
    public static List<Long> withChildren(long parent) {
        List<Long> out = new ArrayList<>();
        out.add(parent);
        for (long pid : allPids()) {
            try {
                if (parentOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) == parent) {
                    out.add(pid);
                }
            } catch (IOException | RuntimeException gone) {
                // exited meanwhile
            }
        }
        return out;
    }

    /** The first process whose command name is {@code comm} and whose command line contains {@code cmdlineMark}. */
    public static OptionalLong find(String comm, String cmdlineMark) {
        for (long pid : allPids()) {
            try {
                Path dir = Path.of("/proc", Long.toString(pid));
                if (Files.readString(dir.resolve("comm")).trim().equals(comm)
                        && new String(Files.readAllBytes(dir.resolve("cmdline"))).replace('\0', ' ').contains(cmdlineMark)) {
                    return OptionalLong.of(pid);
                }
            } catch (IOException | RuntimeException gone) {
                // exited meanwhile, or not ours to read
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The RabbitMQ broker's Erlang VM: the one started with {@code -s rabbit boot}; rabbitmqctl and
     * rabbitmq-diagnostics run short-lived beam.smp processes of their own, which are not the broker.
     */
    public static OptionalLong rabbitMq() {
        return find("beam.smp", "-s rabbit boot");
    }

    /** The postmaster of the cluster whose data directory is {@code dataDirectory} (first line of its postmaster.pid). */
    public static long postmaster(Path dataDirectory) throws IOException {
        return Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    }

    /** Resident set size in MiB, or -1. */
    public static long rssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
        return -1;
    }

    private static List<Long> allPids() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc (this accounting needs Linux)", e);
        }
    }
}
