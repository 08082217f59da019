package dev.shop.eventing;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.amqp.OutgoingAmqpMetadata;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes committed outbox rows to {@code shop.events} and marks them published once the broker
 * has confirmed them (AMQP disposition {@code accepted}, durable messages on quorum queues); the
 * marked rows are the service's event log, purged after a retention window by {@link EventLog}.
 *
 * <ul>
 *   <li>Wakes on PostgreSQL {@code LISTEN shop_outbox} and polls as a fallback.</li>
 *   <li>Only one instance per database publishes: the holder of a session advisory lock on the
 *   listener connection. A crashed leader's lock dies with its connection.</li>
 *   <li>A whole batch is in flight at once (pipelined confirms), sent in {@code seq} order on one link.</li>
 * </ul>
 * Weaker than it looks: a row that fails to publish is retried in a later round, after rows behind
 * it may already have gone out; and rows of transactions that commit out of {@code seq} order are
 * published in commit-visibility order. Consumers therefore guard every transition by state instead
 * of trusting arrival order. A crash between confirm and mark re-publishes the row with the same
 * event id, which the consumers' inbox deduplicates.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long LOCK_KEY = 0x5_0b0ffL;

    private final Pool pool;
    private final Vertx vertx;
    private final MutinyEmitter<byte[]> emitter;
    private final EventingConfig config;
    private final PgConnectOptions connectOptions;
    private final Tracing tracing;
    private final MeterRegistry registry;

    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean wakeAgain = new AtomicBoolean();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();
    private volatile PgConnection listener;
    private volatile boolean leader;
    private volatile boolean stopped;

    public OutboxRelay(Pool pool, Vertx vertx, @Channel("shop-events-out") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096) MutinyEmitter<byte[]> emitter,
                       EventingConfig config, MeterRegistry registry, Tracing tracing,
                       @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
                       @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                       @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.pool = pool;
        this.vertx = vertx;
        this.emitter = emitter;
        this.config = config;
        this.tracing = tracing;
        this.registry = registry;
        PgConnectOptions options = PgConnectOptions.fromUri(url.split(",")[0].trim().replaceFirst("^vertx-reactive:", ""));
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        this.connectOptions = options;
        Gauge.builder("shop.outbox.backlog", backlog, AtomicLong::get)
                .description("Outbox rows not yet confirmed by the broker").register(registry);
        Gauge.builder("shop.outbox.oldest.age.seconds", oldestAgeMillis, a -> a.get() / 1000.0)
                .description("Age of the oldest unpublished outbox row").register(registry);
    }

    void start(@Observes StartupEvent event) {
        connectListener();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        PgConnection c = listener;
        if (c != null) {
            c.closeAndForget();
        }
    }

    public boolean isLeader() {
        return leader;
    }

    public long backlog() {
        return backlog.get();
    }

    public double oldestAgeSeconds() {
        return oldestAgeMillis.get() / 1000.0;
    }

    @Scheduled(every = "${shop.eventing.outbox.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> poll() {
        if (listener == null) {
            connectListener();
            return Uni.createFrom().voidItem();
        }
        return refreshBacklog().invoke(this::wake).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Starts a drain round, or asks the running one to go again. Never runs two rounds at once. */
    public void wake() {
        if (stopped) {
            return;
        }
        if (!leader) {
            tryLead();
            return;
        }
        wakeAgain.set(true);
        if (draining.compareAndSet(false, true)) {
            wakeAgain.set(false);
            drainBatch().subscribe().with(published -> {
                draining.set(false);
                if (published >= config.outbox().batchSize() || wakeAgain.get()) {
                    wake();
                }
            }, failure -> {
                draining.set(false);
                LOG.warnf("outbox round failed, retrying on the next wake-up: %s", failure.toString());
            });
        }
    }

    private Uni<Integer> drainBatch() {
        return pool.preparedQuery("select seq, event_id, type, subject, payload, traceparent from outbox where published_at is null order by seq limit $1")
                .execute(Tuple.of(config.outbox().batchSize()))
                .flatMap(rows -> {
                    List<Uni<Long>> sends = new ArrayList<>();
                    for (Row row : rows) {
                        sends.add(publish(row));
                    }
                    if (sends.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    return Uni.join().all(sends).andFailFast()
                            .ifNoItem().after(config.outbox().publishTimeout()).fail()
                            .flatMap(this::markConfirmed);
                });
    }

    /** @return the row's seq when the broker confirmed it, or -1 when it did not. */
    private Uni<Long> publish(Row row) {
        long seq = row.getLong("seq");
        String type = row.getString("type");
        OutgoingAmqpMetadata metadata = OutgoingAmqpMetadata.builder()
                .withMessageId(row.getUUID("event_id").toString())
                .withUserId(config.publisher()) // verified by the broker; consumers check it
                .withSubject(row.getString("type")) // RabbitMQ routes /exchange/X targets by the subject
                .withContentType(CloudEvent.CONTENT_TYPE)
                .withDurable(true)
                .withApplicationProperty("ce_type", row.getString("type"))
                .withApplicationProperty("ce_subject", row.getString("subject"))
                .build();
        Message<byte[]> message = Message.of(row.getString("payload").getBytes(StandardCharsets.UTF_8)).addMetadata(metadata);
        Span span = tracing.start(type + " publish", SpanKind.PRODUCER, row.getString("traceparent"), row.getString("subject"),
                type, row.getUUID("event_id").toString());
        return emitter.sendMessage(message)
                .onTermination().invoke(span::end)
                .invoke(() -> registry.counter("shop.events.published", "type", type).increment())
                .replaceWith(seq)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("broker did not confirm outbox row %d (%s); it stays for the next round", seq, failure.toString());
                    return -1L;
                });
    }

    private Uni<Integer> markConfirmed(List<Long> results) {
        Long[] confirmed = results.stream().filter(seq -> seq >= 0).toArray(Long[]::new);
        if (confirmed.length == 0) {
            return Uni.createFrom().item(0);
        }
        return pool.preparedQuery("update outbox set published_at = now() where seq = any($1)")
                .execute(Tuple.of(confirmed))
                .map(r -> {
                    backlog.updateAndGet(b -> Math.max(0, b - confirmed.length));
                    return confirmed.length;
                });
    }

    private Uni<Void> refreshBacklog() {
        return pool.query("select count(*) as n, coalesce(extract(epoch from now() - min(created_at)) * 1000, 0) as age from outbox where published_at is null")
                .execute()
                .invoke(rows -> {
                    Row row = rows.iterator().next();
                    backlog.set(row.getLong("n"));
                    oldestAgeMillis.set(row.getNumeric("age").longValue());
                })
                .replaceWithVoid();
    }

    private void connectListener() {
        if (stopped || !connecting.compareAndSet(false, true)) {
            return;
        }
        PgConnection.connect(vertx, connectOptions)
                .flatMap(conn -> {
                    conn.notificationHandler(n -> wake());
                    conn.closeHandler(() -> {
                        leader = false;
                        listener = null;
                        if (!stopped) {
                            LOG.warn("outbox listener connection closed; reconnecting");
                            vertx.setTimer(1000, id -> connectListener());
                        }
                    });
                    return conn.query("LISTEN shop_outbox").execute().replaceWith(conn);
                })
                .subscribe().with(conn -> {
                    listener = conn;
                    connecting.set(false);
                    tryLead();
                }, failure -> {
                    connecting.set(false);
                    LOG.warnf("outbox listener cannot connect (%s); the poller retries", failure.toString());
                });
    }

    private void tryLead() {
        PgConnection conn = listener;
        if (conn == null || leader) {
            return;
        }
        conn.preparedQuery("select pg_try_advisory_lock($1) as locked").execute(Tuple.of(LOCK_KEY))
                .subscribe().with(rows -> {
                    if (rows.iterator().next().getBoolean("locked")) {
                        leader = true;
                        LOG.info("outbox relay is the publishing instance for this database");
                        wake();
                    }
                }, failure -> LOG.debugf("advisory lock attempt failed: %s", failure));
    }
}
