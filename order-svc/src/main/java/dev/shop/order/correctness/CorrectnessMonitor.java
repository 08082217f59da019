package dev.shop.order.correctness;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shop.order.config.OrderConfig;
import dev.shop.order.ops.OpsConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Checks, every {@code shop.correctness.period}, that the four services' data still agree
 * (docs/operations.md, "Correctness monitor"): per order (terminal in time; CONFIRMED sold and paid
 * once for its total; CANCELLED left nothing held or charged; one notification), and the peers' own
 * per-product and per-account conservation invariants.
 *
 * <ul>
 *   <li>One active instance: a run happens inside a transaction holding an advisory lock; other
 *   replicas skip it and only refresh their gauges from the shared table.</li>
 *   <li>Orders judged per run: the ones still flagged, stuck PENDING ones, the ones that became
 *   terminal since the last run (after the grace period), then a rolling slice re-verifying the
 *   {@code lookback} window, so a later corruption of an old order is found too.</li>
 *   <li>Results replace the rows of {@code correctness_violation} for what was decided; a peer that
 *   does not answer (guarded: timeout, retry with backoff and jitter, circuit breaker, bulkhead)
 *   leaves its invariants undecided for that run rather than clearing or inventing violations.</li>
 * </ul>
 */
@ApplicationScoped
public class CorrectnessMonitor {

    private static final Logger LOG = Logger.getLogger(CorrectnessMonitor.class);
    private static final long LOCK_KEY = 0xC0_44EC7L;
    private static final String ORDER_COLUMNS = "id, status, total, created_at, updated_at";

    private final Pool pool;
    private final CorrectnessConfig config;
    private final OrderConfig orders;
    private final MeterRegistry registry;
    private final Map<String, CorrectnessApi> peers = new TreeMap<>();
    private final TypedGuard<Uni<JsonNode>> guard;
    private final Map<String, AtomicLong> violations = new ConcurrentHashMap<>();
    private final AtomicLong lastRun = new AtomicLong();

    /** Keyset cursors (updated_at, id): the newest judged order, and the re-verification slice. Leader's memory only. */
    private Cursor fresh;
    private Cursor sweep;
    /** When this instance last had both peers' whole-table invariants answered. */
    private OffsetDateTime invariantsAt;

    private record Cursor(OffsetDateTime at, UUID id) {
    }

    public CorrectnessMonitor(Pool pool, CorrectnessConfig config, OrderConfig orders, OpsConfig ops, MeterRegistry registry) {
        this.pool = pool;
        this.config = config;
        this.orders = orders;
        this.registry = registry;
        long timeoutMs = config.timeout().toMillis();
        ops.peers().forEach((name, url) -> peers.put(name, QuarkusRestClientBuilder.newBuilder().baseUri(URI.create(url))
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS).readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .build(CorrectnessApi.class)));
        this.guard = TypedGuard.create(new TypeLiteral<Uni<JsonNode>>() { })
                .withDescription("correctness facts from a peer")
                .withTimeout().duration(timeoutMs, ChronoUnit.MILLIS).done()
                .withRetry().maxRetries(2).delay(200, ChronoUnit.MILLIS).jitter(100, ChronoUnit.MILLIS)
                .withExponentialBackoff().factor(2).maxDelay(2, ChronoUnit.SECONDS).done().done()
                .withCircuitBreaker().name("correctness-peers").requestVolumeThreshold(6).failureRatio(0.5).delay(30, ChronoUnit.SECONDS).done()
                .withBulkhead().limit(2).queueSize(16).done()
                .build();
        for (String invariant : Invariants.ALL) {
            AtomicLong count = new AtomicLong();
            violations.put(invariant, count);
            Gauge.builder("shop.invariant.violations", count, AtomicLong::get).tag("invariant", invariant)
                    .description("Subjects (orders, SKUs, accounts) currently breaking this invariant, per the correctness monitor")
                    .register(registry);
        }
        Gauge.builder("shop.correctness.last.run.timestamp.seconds", lastRun, AtomicLong::get)
                .description("When the correctness monitor last completed a run (0: never, on this instance's knowledge)")
                .register(registry);
    }

    @Scheduled(every = "${shop.correctness.period:60s}", delayed = "${shop.correctness.period:60s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> scheduled() {
        if (!config.enabled()) {
            return Uni.createFrom().voidItem();
        }
        return run().onFailure().invoke(f -> {
                    registry.counter("shop.correctness.runs", "outcome", "failed").increment();
                    LOG.warnf("correctness run failed, retrying next period: %s", f.toString());
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** One scheduled run: judge on the lock holder, then refresh the gauges from the table (every instance). */
    public Uni<Boolean> run() {
        return run(false);
    }

    /**
     * One run; {@code everything} also recomputes the whole-table invariants even when they are not
     * due (an operator's run after a repair wants every check).
     */
    public Uni<Boolean> run(boolean everything) {
        return pool.withTransaction(conn -> conn.preparedQuery("select pg_try_advisory_xact_lock($1) as locked").execute(Tuple.of(LOCK_KEY))
                        .flatMap(rows -> rows.iterator().next().getBoolean("locked") ? judgeAll(conn, everything).replaceWith(true)
                                : Uni.createFrom().item(false)))
                .call(this::refreshGauges);
    }

    /**
     * Whether this run recomputes the whole-table invariants: when asked to, when due, or while one
     * of them is violated (so that a repair clears it at the next run).
     */
    private boolean invariantsDue(OffsetDateTime now, boolean everything) {
        boolean violated = Invariants.GLOBAL.stream().anyMatch(i -> violations.containsKey(i) && violations.get(i).get() > 0);
        return everything || violated || invariantsAt == null || !now.isBefore(invariantsAt.plus(config.invariantsPeriod()));
    }

    /** Current violations, newest first, for the ops page and the API. */
    public Uni<List<CorrectnessResource.ViolationView>> current(int limit) {
        return pool.preparedQuery("select invariant, subject, detail, first_seen, last_seen from correctness_violation"
                        + " order by first_seen desc, invariant, subject limit $1")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<CorrectnessResource.ViolationView> list = new ArrayList<>();
                    for (Row row : rows) {
                        list.add(new CorrectnessResource.ViolationView(row.getString("invariant"), row.getString("subject"),
                                row.getString("detail"), row.getOffsetDateTime("first_seen"), row.getOffsetDateTime("last_seen")));
                    }
                    return list;
                });
    }

    public Map<String, Long> counts() {
        Map<String, Long> counts = new TreeMap<>();
        violations.forEach((k, v) -> counts.put(k, v.get()));
        return counts;
    }

    public OffsetDateTime lastRunAt() {
        long s = lastRun.get();
        return s == 0 ? null : OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(s), ZoneOffset.UTC);
    }

    private Uni<Void> refreshGauges() {
        return pool.query("select invariant, count(*) as n from correctness_violation group by invariant"
                        + " union all select '_run', coalesce(extract(epoch from max(finished_at)), 0)::bigint from correctness_run")
                .execute()
                .invoke(rows -> {
                    Map<String, Long> seen = new HashMap<>();
                    for (Row row : rows) {
                        String invariant = row.getString("invariant");
                        if ("_run".equals(invariant)) {
                            lastRun.set(row.getLong("n"));
                        } else {
                            seen.put(invariant, row.getLong("n"));
                        }
                    }
                    violations.forEach((k, v) -> v.set(seen.getOrDefault(k, 0L)));
                })
                .replaceWithVoid();
    }

    // ---- one run, on the lock holder ------------------------------------------------------------

    private Uni<Void> judgeAll(SqlConnection conn, boolean everything) {
        OffsetDateTime started = OffsetDateTime.now(ZoneOffset.UTC);
        boolean globals = invariantsDue(started, everything);
        OffsetDateTime settled = started.minus(config.grace());
        OffsetDateTime deadline = started.minus(orders.sagaTimeout()).minus(config.grace());
        OffsetDateTime windowStart = started.minus(config.lookback());
        if (fresh == null) {
            fresh = new Cursor(settled.minus(config.period().multipliedBy(2)), new UUID(0, 0));
        }
        if (sweep == null || sweep.at().isBefore(windowStart)) {
            sweep = new Cursor(windowStart, new UUID(0, 0));
        }
        String token = token();
        Map<UUID, Judge.OrderRecord> picked = new LinkedHashMap<>();
        int cap = config.maxOrdersPerRun();
        return flagged(conn, picked)
                .flatMap(ignored -> select(conn, "select " + ORDER_COLUMNS + " from orders where status = 'PENDING' and created_at < $1"
                        + " order by created_at limit $2", Tuple.of(deadline, cap), picked))
                .flatMap(ignored -> select(conn, "select " + ORDER_COLUMNS + " from orders where status <> 'PENDING'"
                        + " and (updated_at, id) > ($1, $2) and updated_at <= $3 order by updated_at, id limit $4",
                        Tuple.of(fresh.at(), fresh.id(), settled, cap), picked)
                        .invoke(page -> { if (page.last() != null) { fresh = page.last(); } }))
                .flatMap(ignored -> {
                    int room = cap - picked.size();
                    if (room <= 0) {
                        return Uni.createFrom().voidItem();
                    }
                    OffsetDateTime upTo = fresh.at().isBefore(settled) ? fresh.at() : settled;
                    return select(conn, "select " + ORDER_COLUMNS + " from orders where status <> 'PENDING'"
                            + " and (updated_at, id) > ($1, $2) and updated_at <= $3 order by updated_at, id limit $4",
                            Tuple.of(sweep.at(), sweep.id(), upTo, room), picked)
                            // A short slice reached the newest settled order: the next run starts over, so
                            // every order of the window is re-verified every few runs, never skipped for one.
                            .invoke(page -> sweep = page.rows() < room ? new Cursor(windowStart, new UUID(0, 0)) : page.last())
                            .replaceWithVoid();
                })
                .flatMap(ignored -> lines(conn, picked))
                .flatMap(all -> judgeInBatches(new ArrayList<>(all.values()), token, deadline))
                .flatMap(judged -> (globals ? peerInvariants(token) : Uni.createFrom().item(PeerInvariants.NOT_DUE)).flatMap(peerResult -> {
                    List<Violation> found = new ArrayList<>(judged.violations);
                    found.addAll(peerResult.violations);
                    return store(conn, started, judged.decidedSubjects, peerResult.decided, found)
                            .invoke(() -> {
                                boolean complete = judged.complete && peerResult.complete;
                                registry.counter("shop.correctness.runs", "outcome", complete ? "complete" : "partial").increment();
                                registry.counter("shop.correctness.orders.checked").increment(picked.size());
                                if (!found.isEmpty()) {
                                    LOG.warnf("correctness: %d violation(s) after judging %d order(s)%s", found.size(), picked.size(),
                                            complete ? "" : " (some peers did not answer: their checks were skipped)");
                                }
                            });
                }));
    }

    /** Orders flagged by an earlier run are judged again every run, so a repair clears them. */
    private Uni<Page> flagged(SqlConnection conn, Map<UUID, Judge.OrderRecord> picked) {
        return select(conn, "select " + ORDER_COLUMNS + " from orders where id in (select subject::uuid from correctness_violation"
                + " where invariant = any($1) limit $2)", Tuple.of(Invariants.PER_ORDER.toArray(String[]::new), config.maxOrdersPerRun()), picked);
    }

    /** How many rows a query returned, and the cursor of the last one (null when none). */
    private record Page(Cursor last, int rows) {
    }

    /** Adds the rows to {@code picked}. */
    private Uni<Page> select(SqlConnection conn, String sql, Tuple args, Map<UUID, Judge.OrderRecord> picked) {
        return conn.preparedQuery(sql).execute(args).map(rows -> {
            Cursor last = null;
            for (Row row : rows) {
                UUID id = row.getUUID("id");
                picked.putIfAbsent(id, new Judge.OrderRecord(id, row.getString("status"), row.getBigDecimal("total"), Map.of(),
                        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at")));
                last = new Cursor(row.getOffsetDateTime("updated_at"), id);
            }
            return new Page(last, rows.size());
        });
    }

    private Uni<Map<UUID, Judge.OrderRecord>> lines(SqlConnection conn, Map<UUID, Judge.OrderRecord> picked) {
        if (picked.isEmpty()) {
            return Uni.createFrom().item(picked);
        }
        return conn.preparedQuery("select order_id, sku, sum(quantity)::int as units from order_line where order_id = any($1) group by order_id, sku")
                .execute(Tuple.of(picked.keySet().toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Map<String, Integer>> lines = new HashMap<>();
                    for (Row row : rows) {
                        lines.computeIfAbsent(row.getUUID("order_id"), k -> new HashMap<>()).put(row.getString("sku"), row.getInteger("units"));
                    }
                    Map<UUID, Judge.OrderRecord> withLines = new LinkedHashMap<>();
                    picked.forEach((id, o) -> withLines.put(id, new Judge.OrderRecord(id, o.status(), o.total(),
                            lines.getOrDefault(id, Map.of()), o.createdAt(), o.updatedAt())));
                    return withLines;
                });
    }

    private record Judged(boolean complete, Map<String, List<String>> decidedSubjects, List<Violation> violations) {
    }

    private record PeerInvariants(boolean complete, List<String> decided, List<Violation> violations) {
        /** Not recomputed this run: nothing decided, so the stored findings stay as they are. */
        static final PeerInvariants NOT_DUE = new PeerInvariants(true, List.of(), List.of());
    }

    private Uni<Judged> judgeInBatches(List<Judge.OrderRecord> all, String token, OffsetDateTime deadline) {
        Map<String, List<String>> decided = new HashMap<>();
        List<Violation> found = new ArrayList<>();
        boolean[] complete = {true};
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < all.size(); from += config.batchSize()) {
            List<Judge.OrderRecord> batch = all.subList(from, Math.min(all.size(), from + config.batchSize()));
            chain = chain.flatMap(ignored -> facts(batch, token).invoke(facts -> {
                if (facts.stock() == null || facts.payments() == null || facts.notifications() == null) {
                    complete[0] = false;
                }
                for (Judge.OrderRecord order : batch) {
                    Judge.Verdict verdict = Judge.judge(order, facts, deadline);
                    verdict.decided().forEach(inv -> decided.computeIfAbsent(inv, k -> new ArrayList<>()).add(order.id().toString()));
                    found.addAll(verdict.violations());
                }
            }).replaceWithVoid());
        }
        return chain.map(ignored -> new Judged(complete[0], decided, found));
    }

    /** The three peers' facts about a batch of orders, asked at once; a peer that fails gives null. */
    private Uni<Judge.Facts> facts(List<Judge.OrderRecord> batch, String token) {
        boolean anySettled = batch.stream().anyMatch(o -> !"PENDING".equals(o.status()));
        if (!anySettled) {
            return Uni.createFrom().item(new Judge.Facts(Map.of(), Map.of(), Map.of()));
        }
        Map<String, Object> body = Map.of("orderIds", batch.stream().map(o -> o.id().toString()).toList());
        Uni<Map<UUID, Judge.StockFact>> stock = ask("inventory", token, api -> api.orders(body, token), CorrectnessMonitor::stockFacts);
        Uni<Map<UUID, Judge.PaymentFact>> payments = ask("billing", token, api -> api.orders(body, token), CorrectnessMonitor::paymentFacts);
        Uni<Map<UUID, Map<String, Integer>>> notes = ask("notification", token, api -> api.orders(body, token), CorrectnessMonitor::notificationFacts);
        return Uni.combine().all().unis(stock, payments, notes).with(Judge.Facts::new);
    }

    private Uni<PeerInvariants> peerInvariants(String token) {
        Uni<List<Violation>> inventory = ask("inventory", token, api -> api.invariants(token), CorrectnessMonitor::violations);
        Uni<List<Violation>> billing = ask("billing", token, api -> api.invariants(token), CorrectnessMonitor::violations);
        return Uni.combine().all().unis(inventory, billing).with((inv, bill) -> {
            List<String> decided = new ArrayList<>();
            List<Violation> found = new ArrayList<>();
            if (inv != null) {
                decided.addAll(Invariants.INVENTORY);
                found.addAll(inv);
            }
            if (bill != null) {
                decided.addAll(Invariants.BILLING);
                found.addAll(bill);
            }
            if (inv != null && bill != null) {
                invariantsAt = OffsetDateTime.now(ZoneOffset.UTC);
            }
            return new PeerInvariants(inv != null && bill != null, decided, found);
        });
    }

    /** One guarded call to a peer, parsed; null when there is no token, no such peer, or the call failed. */
    private <T> Uni<T> ask(String peer, String token, Function<CorrectnessApi, Uni<JsonNode>> call, Function<JsonNode, T> parse) {
        CorrectnessApi api = peers.get(peer);
        if (api == null || token == null) {
            registry.counter("shop.correctness.peer.failures", "peer", peer, "reason", api == null ? "not_configured" : "no_token").increment();
            return Uni.createFrom().nullItem();
        }
        return guard.get(() -> call.apply(api)).map(parse)
                .onFailure().recoverWithItem(f -> {
                    registry.counter("shop.correctness.peer.failures", "peer", peer, "reason", f.getClass().getSimpleName()).increment();
                    LOG.warnf("correctness: %s did not answer, its checks are skipped this run: %s", peer, f.toString());
                    return null;
                });
    }

    private String token() {
        if (config.tokenFile().isEmpty()) {
            return null;
        }
        try {
            String token = Files.readString(Path.of(config.tokenFile().get())).trim();
            return token.isEmpty() ? null : "Bearer " + token;
        } catch (IOException e) {
            LOG.warnf("correctness: cannot read the token file %s (%s); peer checks are skipped", config.tokenFile().get(), e.toString());
            return null;
        }
    }

    /** Replaces, in the run's transaction, the violations of everything this run decided. */
    private Uni<Void> store(SqlConnection conn, OffsetDateTime started, Map<String, List<String>> decidedSubjects,
                            List<String> decidedGlobally, List<Violation> found) {
        Map<String, Violation> unique = new LinkedHashMap<>();
        for (Violation v : found) {
            unique.merge(v.invariant() + "\u0000" + v.subject(), v,
                    (a, b) -> new Violation(a.invariant(), a.subject(), a.detail() + "; " + b.detail()));
        }
        List<Violation> rows = new ArrayList<>(unique.values());
        Uni<Void> upsert = rows.isEmpty() ? Uni.createFrom().voidItem()
                : conn.preparedQuery("insert into correctness_violation (invariant, subject, detail, first_seen, last_seen)"
                        + " select i, s, left(d, 1000), $4, $4 from unnest($1::varchar[], $2::varchar[], $3::varchar[]) as v(i, s, d)"
                        + " on conflict (invariant, subject) do update set detail = excluded.detail, last_seen = excluded.last_seen")
                .execute(Tuple.of(rows.stream().map(Violation::invariant).toArray(String[]::new),
                        rows.stream().map(Violation::subject).toArray(String[]::new),
                        rows.stream().map(Violation::detail).toArray(String[]::new), started))
                .replaceWithVoid();
        Uni<Void> clear = upsert;
        for (Map.Entry<String, List<String>> e : decidedSubjects.entrySet()) {
            clear = clear.flatMap(ignored -> conn.preparedQuery("delete from correctness_violation where invariant = $1"
                            + " and subject = any($2) and last_seen < $3")
                    .execute(Tuple.of(e.getKey(), e.getValue().toArray(String[]::new), started)).replaceWithVoid());
        }
        if (!decidedGlobally.isEmpty()) {
            clear = clear.flatMap(ignored -> conn.preparedQuery("delete from correctness_violation where invariant = any($1) and last_seen < $2")
                    .execute(Tuple.of(decidedGlobally.toArray(String[]::new), started)).replaceWithVoid());
        }
        return clear.flatMap(ignored -> conn.preparedQuery("insert into correctness_run (finished_at, orders_checked, violations)"
                        + " values (now(), $1, $2)")
                .execute(Tuple.of(decidedSubjects.getOrDefault(Invariants.ORDER_TERMINAL, List.of()).size(), rows.size())))
                .flatMap(ignored -> conn.query("delete from correctness_run where finished_at < now() - interval '7 days'").execute())
                .replaceWithVoid();
    }

    // ---- the peers' answers -----------------------------------------------------------------------

    static Map<UUID, Judge.StockFact> stockFacts(JsonNode answer) {
        Map<UUID, Judge.StockFact> facts = new HashMap<>();
        for (JsonNode o : answer.path("orders")) {
            Map<String, Integer> lines = new HashMap<>();
            for (JsonNode line : o.path("lines")) {
                lines.merge(line.path("sku").asText(), line.path("quantity").asInt(), Integer::sum);
            }
            facts.put(UUID.fromString(o.path("orderId").asText()), new Judge.StockFact(o.path("status").asText(), lines));
        }
        return facts;
    }

    static Map<UUID, Judge.PaymentFact> paymentFacts(JsonNode answer) {
        Map<UUID, Judge.PaymentFact> facts = new HashMap<>();
        for (JsonNode o : answer.path("orders")) {
            JsonNode amount = o.path("amount");
            facts.put(UUID.fromString(o.path("orderId").asText()), new Judge.PaymentFact(o.path("status").asText(),
                    amount.isMissingNode() || amount.isNull() ? null : new BigDecimal(amount.asText())));
        }
        return facts;
    }

    static Map<UUID, Map<String, Integer>> notificationFacts(JsonNode answer) {
        Map<UUID, Map<String, Integer>> facts = new HashMap<>();
        for (JsonNode o : answer.path("orders")) {
            Map<String, Integer> counts = new HashMap<>();
            for (JsonNode n : o.path("notifications")) {
                counts.merge(n.path("type").asText(), n.path("count").asInt(), Integer::sum);
            }
            facts.put(UUID.fromString(o.path("orderId").asText()), counts);
        }
        return facts;
    }

    static List<Violation> violations(JsonNode answer) {
        List<Violation> list = new ArrayList<>();
        Set<String> known = Set.copyOf(Invariants.ALL);
        for (JsonNode v : answer.path("violations")) {
            String invariant = v.path("invariant").asText();
            if (known.contains(invariant)) {
                list.add(new Violation(invariant, v.path("subject").asText(), v.path("detail").asText()));
            }
        }
        return list;
    }
}
