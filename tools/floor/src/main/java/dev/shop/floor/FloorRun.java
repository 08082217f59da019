package dev.shop.floor;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.proton.ProtonClient;
import io.vertx.proton.ProtonConnection;
import io.vertx.proton.ProtonDelivery;
import io.vertx.proton.ProtonReceiver;
import io.vertx.proton.ProtonSender;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.Accepted;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The floor: the four services' broker and database work for each order ({@link SagaPlan}) done by
 * plain code. Each role has one AMQP 1.0 connection (a sender to {@code /exchange/shop.events}, a
 * receiver on its quorum queue), one JDBC connection for its transactions and one thread that runs
 * them, one batch at a time (up to {@code batchSize} deliveries per commit, as shop's consumers);
 * it acknowledges deliveries after the commit, publishes the outbox rows it wrote (durable, waiting for
 * the broker's {@code accepted}) and marks them published once confirmed, in batches as shop's relay.
 * Placements come from a fixed-rate schedule (open loop), each in its own transaction, as the REST
 * endpoint's. The terminal event reaches a tap queue, from which latency is measured.
 */
final class FloorRun implements AutoCloseable {

    record Settings(String amqpHost, int amqpPort, String amqpUser, String amqpPassword, String vhost,
                    String jdbcUrl, String dbUser, int batchSize, int credits) {
    }

    record Result(int rate, int seconds, int placed, int completed, double completedPerSec, long p50, long p99, long max, int failures) {
    }

    static final int SKUS = 20;
    static final int CUSTOMERS = 20;

    private record Placed(UUID id, String customer, String sku, long scheduledNanos) {
    }

    private record In(ProtonDelivery delivery, String type, UUID orderId) {
    }

    private record Out(long seq, UUID eventId, String type, UUID orderId, byte[] payload) {
    }

    /** What was done, counted as it happened (never derived from the plan). */
    final Map<String, AtomicLong> commits = new LinkedHashMap<>();
    final AtomicLong published = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong tapDelivered = new AtomicLong();
    final AtomicLong inboxRows = new AtomicLong();
    final AtomicLong rowsInserted = new AtomicLong();
    final AtomicLong rowsUpdated = new AtomicLong();
    final AtomicLong placedTotal = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    private final Settings settings;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
    /** Every order this run placed (kept: later saga steps still look it up after the tap has seen it). */
    private final Map<UUID, Placed> pending = new ConcurrentHashMap<>();
    private final java.util.Set<UUID> completedIds = ConcurrentHashMap.newKeySet();
    private final Map<String, Role> roles = new LinkedHashMap<>();
    private final Role order;
    private final ExecutorService api = Executors.newSingleThreadExecutor(r -> new Thread(r, "floor-placement"));
    private Connection apiDb;
    private Context tapContext;
    private ProtonConnection tapConnection;
    private volatile Window window;
    private volatile boolean closing;

    /** One measured rate: its orders' latencies as they complete. */
    private static final class Window {
        final List<Long> latenciesMillis = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger completed = new AtomicInteger();
        volatile long firstPlacedNanos = Long.MAX_VALUE;
        volatile long lastCompletedNanos;
    }

    FloorRun(Settings settings) {
        this.settings = settings;
        order = new Role("order", "order_svc");
        roles.put("order", order);
        roles.put("inventory", new Role("inventory", "inventory_svc"));
        roles.put("billing", new Role("billing", "billing_svc"));
        roles.put("notification", new Role("notification", "notification_svc"));
        roles.keySet().forEach(r -> commits.put(r, new AtomicLong()));
    }

    static List<String> skus(String run) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < SKUS; i++) {
            out.add("B-" + run + "-" + i);
        }
        return out;
    }

    static List<String> customers(String run) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < CUSTOMERS; i++) {
            out.add("b-" + run + "-" + i);
        }
        return out;
    }

    String runId() {
        return run;
    }

    /** Connects every role (database and broker) and the tap. The database and vhost must exist ({@link Schema}, {@link Broker}). */
    void start() throws Exception {
        apiDb = order.jdbc(false);
        for (Role role : roles.values()) {
            role.start();
        }
        tapContext = vertx.getOrCreateContext();
        tapConnection = connect(tapContext, "/amq/queue/" + Broker.TAP, null, this::onTap).get(30, TimeUnit.SECONDS);
    }

    /**
     * Places {@code rate} orders a second for {@code seconds} seconds on a fixed schedule and waits
     * (at most {@code seconds + 60} s) until each has reached the tap.
     */
    Result runAt(int rate, int seconds) throws InterruptedException {
        Window w = new Window();
        window = w;
        int total = rate * seconds;
        AtomicInteger sent = new AtomicInteger();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "floor-ticker"));
        List<String> skus = skus(run);
        List<String> customers = customers(run);
        long start = System.nanoTime();
        ticker.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            // Latency counts from the schedule, not from when the placement thread got to it: no coordinated omission.
            Placed p = new Placed(UUID.randomUUID(), customers.get(n % CUSTOMERS), skus.get(n % SKUS), System.nanoTime());
            api.execute(() -> place(p));
        }, 0, 1_000_000_000L / rate, TimeUnit.NANOSECONDS);
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds + 60L);
        while (System.nanoTime() < deadline && (sent.get() < total || w.completed.get() < total) && firstFailure.get() == null) {
            Thread.sleep(100);
        }
        ticker.shutdownNow();
        window = null;
        List<Long> sorted = new ArrayList<>(w.latenciesMillis);
        Collections.sort(sorted);
        int done = sorted.size();
        double span = (w.lastCompletedNanos - w.firstPlacedNanos) / 1e9;
        if (firstFailure.get() != null) {
            throw new IllegalStateException("the floor failed: " + firstFailure.get(), firstFailure.get());
        }
        return new Result(rate, seconds, Math.min(sent.get(), total), done, done == 0 || span <= 0 ? 0 : done / span,
                pct(sorted, 0.50), pct(sorted, 0.99), done == 0 ? -1 : sorted.get(done - 1), failures.get());
    }

    private static long pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    /** POST /orders: order, line, outbox row and journey step in one transaction; then publish order.placed. */
    private void place(Placed p) {
        try {
            Window w = window;
            if (w != null && p.scheduledNanos() < w.firstPlacedNanos) {
                w.firstPlacedNanos = p.scheduledNanos();
            }
            pending.put(p.id(), p);
            Instant now = Instant.now();
            PreparedStatement s = order.statement(apiDb, "insert into orders (id, customer_id, total, status, request_hash, created_at, updated_at, version)"
                    + " values (?, ?, null, 'PENDING', ?, ?, ?, 0)");
            s.setObject(1, p.id());
            s.setString(2, p.customer());
            s.setString(3, sha256Hex(p.customer() + "|" + p.sku() + ":1|"));
            s.setTimestamp(4, Timestamp.from(now));
            s.setTimestamp(5, Timestamp.from(now));
            rowsInserted.addAndGet(s.executeUpdate());
            s = order.statement(apiDb, "insert into order_line (order_id, line_no, sku, quantity, unit_price) values (?, 0, ?, 1, null)");
            s.setObject(1, p.id());
            s.setString(2, p.sku());
            rowsInserted.addAndGet(s.executeUpdate());
            String traceparent = Events.traceparent();
            Out out = order.outbox(apiDb, Events.ORDER_PLACED, p, traceparent);
            order.journey(apiDb, Events.ORDER_PLACED, p.id(), traceparent, null);
            apiDb.commit();
            commits.get("order").incrementAndGet();
            placedTotal.incrementAndGet();
            order.context.runOnContext(v -> order.publish(out));
        } catch (Exception e) {
            fail(e);
        }
    }

    private void onTap(ProtonDelivery delivery, Message message) {
        UUID orderId = orderId(message);
        delivery.disposition(Accepted.getInstance(), true);
        tapDelivered.incrementAndGet();
        Placed p = orderId == null ? null : pending.get(orderId);
        Window w = window;
        if (p != null && w != null && completedIds.add(orderId)) {
            long now = System.nanoTime();
            w.latenciesMillis.add(TimeUnit.NANOSECONDS.toMillis(now - p.scheduledNanos()));
            w.lastCompletedNanos = Math.max(w.lastCompletedNanos, now);
            w.completed.incrementAndGet();
        }
    }

    private boolean fail(Throwable e) {
        failures.incrementAndGet();
        if (firstFailure.compareAndSet(null, e)) {
            e.printStackTrace();
        }
        return true;
    }

    private static UUID orderId(Message message) {
        Object subject = message.getApplicationProperties() == null ? null : message.getApplicationProperties().getValue().get("ce_subject");
        return subject == null ? null : UUID.fromString(subject.toString());
    }

    private static String type(Message message) {
        Object type = message.getApplicationProperties() == null ? null : message.getApplicationProperties().getValue().get("ce_type");
        return type == null ? message.getSubject() : type.toString();
    }

    static String sha256Hex(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface OnMessage {
        void handle(ProtonDelivery delivery, Message message);
    }

    /** An AMQP connection on {@code context} with an optional sender to shop.events and a receiver on {@code queueAddress}. */
    private CompletableFuture<ProtonConnection> connect(Context context, String queueAddress, AtomicReference<ProtonSender> sender, OnMessage onMessage) {
        CompletableFuture<ProtonConnection> ready = new CompletableFuture<>();
        context.runOnContext(v -> ProtonClient.create(vertx).connect(settings.amqpHost(), settings.amqpPort(), settings.amqpUser(), settings.amqpPassword(), ar -> {
            if (ar.failed()) {
                ready.completeExceptionally(ar.cause());
                return;
            }
            ProtonConnection c = ar.result();
            c.setHostname("vhost:" + settings.vhost());
            c.closeHandler(closed -> {
                if (!closing) {
                    fail(new IllegalStateException("broker closed a connection: " + c.getRemoteCondition()));
                }
            });
            c.openHandler(opened -> {
                if (opened.failed()) {
                    ready.completeExceptionally(opened.cause());
                    return;
                }
                if (sender != null) {
                    ProtonSender s = c.createSender("/exchange/shop.events");
                    s.openHandler(o -> {
                        if (o.failed()) {
                            ready.completeExceptionally(o.cause());
                        }
                    });
                    s.open();
                    sender.set(s);
                }
                ProtonReceiver r = c.createReceiver(queueAddress);
                r.setAutoAccept(false).setPrefetch(settings.credits()).handler(onMessage::handle);
                r.openHandler(o -> {
                    if (o.failed()) {
                        ready.completeExceptionally(o.cause());
                    } else {
                        ready.complete(c);
                    }
                });
                r.open();
            }).open();
        }));
        return ready;
    }

    /** One service's work: its queue, its schema, one thread doing its transactions. */
    private final class Role {
        final String name;
        final String schema;
        final Context context = vertx.getOrCreateContext();
        final AtomicReference<ProtonSender> sender = new AtomicReference<>();
        final ExecutorService worker;
        final ConcurrentLinkedQueue<In> deliveries = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> confirmed = new ConcurrentLinkedQueue<>();
        final AtomicBoolean scheduled = new AtomicBoolean();
        final Map<Connection, Map<String, PreparedStatement>> statements = new ConcurrentHashMap<>();
        final byte[] userId = settings.amqpUser().getBytes(StandardCharsets.UTF_8);
        Connection db;
        Connection autocommit;
        ProtonConnection amqp;

        Role(String name, String schema) {
            this.name = name;
            this.schema = schema;
            this.worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "floor-" + name));
        }

        Connection jdbc(boolean autoCommit) throws SQLException {
            Connection c = DriverManager.getConnection(settings.jdbcUrl() + "?currentSchema=" + schema, settings.dbUser(), null);
            c.setAutoCommit(autoCommit);
            return c;
        }

        void start() throws Exception {
            db = jdbc(false);
            autocommit = jdbc(true);
            amqp = connect(context, "/amq/queue/" + name + "-svc.events", sender, (delivery, message) -> {
                deliveries.add(new In(delivery, type(message), orderId(message)));
                schedule();
            }).get(30, TimeUnit.SECONDS);
        }

        PreparedStatement statement(Connection c, String sql) throws SQLException {
            Map<String, PreparedStatement> cache = statements.computeIfAbsent(c, k -> new HashMap<>());
            PreparedStatement s = cache.get(sql);
            if (s == null) {
                s = c.prepareStatement(sql);
                cache.put(sql, s);
            }
            return s;
        }

        void schedule() {
            if (scheduled.compareAndSet(false, true)) {
                worker.execute(this::drain);
            }
        }

        /** Marks confirmed outbox rows, then commits the next batch of deliveries, until both are empty. */
        private void drain() {
            try {
                while (true) {
                    List<Long> marks = take(confirmed);
                    if (!marks.isEmpty()) {
                        mark(marks);
                    }
                    List<In> batch = take(deliveries);
                    if (!batch.isEmpty()) {
                        handle(batch);
                    }
                    if (marks.isEmpty() && batch.isEmpty()) {
                        break;
                    }
                }
            } catch (Throwable e) {
                fail(e);
            } finally {
                scheduled.set(false);
                if (!deliveries.isEmpty() || !confirmed.isEmpty()) {
                    schedule();
                }
            }
        }

        private <T> List<T> take(ConcurrentLinkedQueue<T> queue) {
            List<T> out = new ArrayList<>();
            T next;
            while (out.size() < Math.max(1, settings.batchSize()) && (next = queue.poll()) != null) {
                out.add(next);
            }
            return out;
        }

        /**
         * The relay's mark: every row the broker confirmed since the last one, in one transaction. One
         * primary-key update per row (sent as one JDBC batch), not shop's {@code seq = any($1)}: on a
         * server whose tables are never analyzed (autovacuum off, as on the benchmark machine) that
         * statement's cached plan scans the whole outbox every time, which is not work an order needs.
         */
        private void mark(List<Long> seqs) throws SQLException {
            PreparedStatement s = statement(db, "update outbox set published_at = now() where seq = ?");
            for (long seq : seqs) {
                s.setLong(1, seq);
                s.addBatch();
            }
            for (int n : s.executeBatch()) {
                rowsUpdated.addAndGet(Math.max(0, n));
            }
            db.commit();
            commits.get(name).incrementAndGet();
        }

        /** One transaction for the batch (inbox + effect + outbox), then acks and publishes after the commit. */
        private void handle(List<In> batch) throws SQLException {
            List<Out> outs = new ArrayList<>();
            boolean transaction = false;
            for (In in : batch) {
                Placed p = pending.get(in.orderId());
                if (p == null) {
                    throw new IllegalStateException(name + ": " + in.type() + " for an order this run did not place: " + in.orderId());
                }
                if (name.equals("order")) {
                    // order-svc records every peer event in the journey (JourneyProjection.record): in the step's
                    // transaction for the events a step reacts to, with its own autocommit insert for the others.
                    if (in.type().equals(Events.STOCK_COMMITTED)) {
                        journey(autocommit, in.type(), in.orderId(), null, Instant.now());
                        continue; // journey only: no inbox, no transaction
                    }
                    journey(db, in.type(), in.orderId(), null, Instant.now());
                }
                transaction = true;
                PreparedStatement s = statement(db, "insert into inbox (event_id, type) values (?, ?) on conflict (event_id) do nothing");
                s.setObject(1, Events.id(in.type(), in.orderId()));
                s.setString(2, in.type());
                int first = s.executeUpdate();
                rowsInserted.addAndGet(first);
                inboxRows.addAndGet(first);
                step(in, p, outs);
            }
            if (transaction) {
                db.commit();
                commits.get(name).incrementAndGet();
            }
            context.runOnContext(v -> {
                for (In in : batch) {
                    in.delivery().disposition(Accepted.getInstance(), true);
                    delivered.incrementAndGet();
                }
                outs.forEach(this::publish);
            });
        }

        private void step(In in, Placed p, List<Out> outs) throws SQLException {
            switch (name + " " + in.type()) {
                case "inventory order.placed" -> {
                    update("update product set available = available - 1, reserved = reserved + 1, version = version + 1 where sku = ?", p.sku());
                    insert("insert into reservation (order_id, status, updated_at, version) values (?, 'HELD', now(), 0)", p.id());
                    insert("insert into reservation_line (order_id, line_no, sku, quantity, unit_price) values (?, 0, ?, 1, 1.00)", p.id(), p.sku());
                    outs.add(outbox(db, Events.STOCK_RESERVED, p, Events.traceparent()));
                }
                case "inventory order.confirmed" -> {
                    update("update reservation set status = 'COMMITTED', updated_at = now(), version = version + 1 where order_id = ?", p.id());
                    update("update product set reserved = reserved - 1, sold = sold + 1, version = version + 1 where sku = ?", p.sku());
                    outs.add(outbox(db, Events.STOCK_COMMITTED, p, Events.traceparent()));
                }
                case "billing stock.reserved" -> {
                    update("update account set credit = credit - 1.00, version = version + 1 where customer_id = ?", p.customer());
                    insert("insert into payment (order_id, customer_id, amount, status, updated_at, version) values (?, ?, 1.00, 'AUTHORIZED', now(), 0)",
                            p.id(), p.customer());
                    outs.add(outbox(db, Events.PAYMENT_AUTHORIZED, p, Events.traceparent()));
                }
                case "order stock.reserved" -> {
                    update("update orders set total = 1.00, updated_at = now(), version = version + 1 where id = ?", p.id());
                    update("update order_line set unit_price = 1.00 where order_id = ? and line_no = 0", p.id());
                }
                case "order payment.authorized" -> {
                    update("update orders set status = 'CONFIRMED', updated_at = now(), version = version + 1 where id = ?", p.id());
                    String traceparent = Events.traceparent();
                    outs.add(outbox(db, Events.ORDER_CONFIRMED, p, traceparent));
                    journey(db, Events.ORDER_CONFIRMED, p.id(), traceparent, null);
                }
                case "notification order.confirmed" ->
                        insert("insert into notification (id, order_id, customer_id, type, created_at) values (?, ?, ?, 'ORDER_CONFIRMED', now())",
                                UUID.randomUUID(), p.id(), p.customer());
                default -> throw new IllegalStateException(name + " has no step for " + in.type());
            }
        }

        private void update(String sql, Object... params) throws SQLException {
            rowsUpdated.addAndGet(execute(sql, params));
        }

        private void insert(String sql, Object... params) throws SQLException {
            rowsInserted.addAndGet(execute(sql, params));
        }

        private int execute(String sql, Object... params) throws SQLException {
            PreparedStatement s = statement(db, sql);
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            return s.executeUpdate();
        }

        Out outbox(Connection c, String type, Placed p, String traceparent) throws SQLException {
            UUID eventId = Events.id(type, p.id());
            String payload = Events.cloudEvent(type, p.id(), traceparent, Events.data(type, p.id(), p.customer(), p.sku(), Instant.now()));
            PreparedStatement s = statement(c, "insert into outbox (event_id, type, subject, payload, traceparent) values (?, ?, ?, ?, ?)"
                    + " on conflict (event_id) do nothing returning seq");
            s.setObject(1, eventId);
            s.setString(2, type);
            s.setString(3, p.id().toString());
            s.setString(4, payload);
            s.setString(5, traceparent);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("outbox row " + eventId + " existed already");
                }
                rowsInserted.incrementAndGet();
                return new Out(rs.getLong(1), eventId, type, p.id(), payload.getBytes(StandardCharsets.UTF_8));
            }
        }

        void journey(Connection c, String type, UUID orderId, String traceparent, Instant receivedAt) throws SQLException {
            PreparedStatement s = statement(c, "insert into journey_step (event_id, order_id, type, service, occurred_at, outcome, trace_id, received_at)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (event_id) do nothing");
            s.setObject(1, Events.id(type, orderId));
            s.setObject(2, orderId);
            s.setString(3, type);
            s.setString(4, Events.source(type).substring(1));
            s.setTimestamp(5, Timestamp.from(Instant.now()));
            s.setString(6, Events.outcome(type));
            s.setString(7, traceparent == null ? Events.traceparent().substring(3, 35) : traceparent.substring(3, 35));
            s.setTimestamp(8, receivedAt == null ? null : Timestamp.from(receivedAt));
            rowsInserted.addAndGet(s.executeUpdate());
            if (c.getAutoCommit()) {
                commits.get(name).incrementAndGet();
            }
        }

        /** Durable, on shop.events with the type as routing key; marked once the broker accepted it. Runs on the role's context. */
        void publish(Out out) {
            Message m = Message.Factory.create();
            m.setMessageId(out.eventId().toString());
            m.setUserId(userId);
            m.setSubject(out.type());
            m.setContentType("application/cloudevents+json");
            m.setDurable(true);
            m.setApplicationProperties(new ApplicationProperties(Map.of("ce_type", out.type(), "ce_subject", out.orderId().toString())));
            m.setBody(new Data(new Binary(out.payload())));
            sender.get().send(m, d -> {
                if (d.getRemoteState() instanceof Accepted) {
                    published.incrementAndGet();
                    confirmed.add(out.seq());
                    schedule();
                } else {
                    fail(new IllegalStateException("broker did not accept " + out.type() + " " + out.eventId() + ": " + d.getRemoteState()));
                }
            });
        }

        void close() {
            worker.shutdown();
            try {
                worker.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(db);
            closeQuietly(autocommit);
            if (amqp != null) {
                context.runOnContext(v -> amqp.close());
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closing = true;
        api.shutdown();
        try {
            api.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(apiDb);
        roles.values().forEach(Role::close);
        if (tapConnection != null) {
            tapContext.runOnContext(v -> tapConnection.close());
        }
        CompletableFuture<Void> closed = new CompletableFuture<>();
        vertx.close().onComplete(ar -> closed.complete(null));
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }
}
