package dev.shop.eventing.ops;

import dev.shop.eventing.DeadLetters;
import dev.shop.eventing.EventCodec;
import dev.shop.eventing.EventingConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.amqp.IncomingAmqpMetadata;
import io.smallrye.reactive.messaging.amqp.OutgoingAmqpMetadata;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dead-letter operations: messages reaching {@code <service>.dlq} (from our consumer with reason
 * headers, or from the broker's DLX) are parked in the {@code dead_letter} table and acknowledged
 * only after that commit. Operators list, replay (back to this service's own queue only, through
 * normal processing) or discard them with a reason; every action is audited.
 *
 * Weaker than it looks: replay publishes first and records second. If recording fails after the
 * broker confirmed, the row stays PENDING and a second replay delivers the event again; the
 * consumer's inbox makes that duplicate harmless.
 */
@ApplicationScoped
public class DeadLetterStore {

    private static final Logger LOG = Logger.getLogger(DeadLetterStore.class);
    private static final String COLUMNS = "id, message_id, routing_key, reason, failure_class, attempts, failed_at, failed_by, status, resolved_at, body";

    public enum Result { DONE, NOT_FOUND, ALREADY_RESOLVED }

    private final Pool pool;
    private final MutinyEmitter<byte[]> replay;
    private final EventingConfig config;
    private final AtomicLong pending = new AtomicLong();

    public DeadLetterStore(Pool pool, @Channel("shop-replay") MutinyEmitter<byte[]> replay, EventingConfig config, MeterRegistry registry) {
        this.pool = pool;
        this.replay = replay;
        this.config = config;
        Gauge.builder("shop.dead.letters.pending", pending, AtomicLong::get)
                .description("Dead-lettered messages neither replayed nor discarded")
                .tag("queue", config.queue()).register(registry);
    }

    public long pendingCount() {
        return pending.get();
    }

    @Incoming("shop-dead-letters-in")
    public Uni<Void> park(Message<Object> message) {
        IncomingAmqpMetadata meta = message.getMetadata(IncomingAmqpMetadata.class).orElse(null);
        JsonObject props = meta != null && meta.getProperties() != null ? meta.getProperties() : new JsonObject();
        byte[] body = EventCodec.bytesOrText(message.getPayload());
        String reason = props.getString(DeadLetters.REASON, "dead-lettered by the broker (delivery limit reached or message rejected)");
        String failedAt = props.getString(DeadLetters.FAILED_AT);
        String routingKey = props.getString(DeadLetters.ORIGINAL_ROUTING_KEY, meta != null && meta.getSubject() != null ? meta.getSubject() : "");
        String messageId = meta != null ? meta.getId() : null;
        Tuple row = Tuple.tuple()
                .addUUID(UUID.randomUUID())
                .addString(sha256(messageId + "|" + failedAt + "|" + new String(body, StandardCharsets.UTF_8)))
                .addString(messageId)
                .addString(routingKey)
                .addString(reason.length() > 1000 ? reason.substring(0, 1000) : reason)
                .addString(props.getString(DeadLetters.FAILURE_CLASS, "broker"))
                .addInteger(props.getInteger(DeadLetters.ATTEMPTS, meta != null ? meta.getDeliveryCount() : 0))
                .addOffsetDateTime(failedAt != null ? OffsetDateTime.parse(failedAt) : OffsetDateTime.now(ZoneOffset.UTC))
                .addString(props.getString(DeadLetters.FAILED_BY))
                .addString(new String(body, StandardCharsets.UTF_8));
        return pool.preparedQuery("insert into dead_letter (id, dedupe_key, message_id, routing_key, reason, failure_class, attempts, "
                        + "failed_at, failed_by, body) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (dedupe_key) do nothing")
                .execute(row)
                .invoke(() -> LOG.warnf("parked dead letter %s (%s): %s", messageId, routingKey, reason))
                .flatMap(r -> refreshPending())
                .flatMap(x -> Uni.createFrom().completionStage(message.ack()))
                .onFailure().recoverWithUni(f -> {
                    LOG.errorf("cannot park dead letter (%s); it stays in the DLQ", f.toString());
                    return Uni.createFrom().completionStage(message.nack(f));
                });
    }

    public Uni<List<DeadLetter>> list(Optional<String> status, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from dead_letter where ($1::varchar is null or status = $1) order by created_at desc limit $2")
                .execute(Tuple.of(status.orElse(null), limit))
                .map(rows -> {
                    List<DeadLetter> out = new java.util.ArrayList<>();
                    rows.forEach(r -> out.add(map(r)));
                    return out;
                });
    }

    public Uni<DeadLetter> get(UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from dead_letter where id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : map(rows.iterator().next()));
    }

    /** Re-delivers the original message to this service's own queue; once per dead letter. */
    public Uni<Result> replay(UUID id, String actor) {
        return get(id).flatMap(dl -> {
            if (dl == null) {
                return Uni.createFrom().item(Result.NOT_FOUND);
            }
            if (!"PENDING".equals(dl.status())) {
                return Uni.createFrom().item(Result.ALREADY_RESOLVED);
            }
            var metadata = OutgoingAmqpMetadata.builder()
                    .withDurable(true)
                    .withUserId(config.publisher()) // a replay is this service's own message
                    .withSubject(dl.routingKey())
                    .withContentType("application/cloudevents+json")
                    .withApplicationProperty("x-replayed-from", dl.id().toString());
            if (dl.messageId() != null) {
                metadata.withMessageId(dl.messageId());
            }
            return replay.sendMessage(Message.of(dl.body().getBytes(StandardCharsets.UTF_8)).addMetadata(metadata.build()))
                    .flatMap(x -> resolve(id, "REPLAYED", null, actor));
        });
    }

    public Uni<Integer> replayAll(String actor) {
        return list(Optional.of("PENDING"), 1000).flatMap(all -> {
            Uni<Integer> chain = Uni.createFrom().item(0);
            for (DeadLetter dl : all) {
                chain = chain.flatMap(n -> replay(dl.id(), actor).map(r -> r == Result.DONE ? n + 1 : n));
            }
            return chain;
        });
    }

    public Uni<Result> discard(UUID id, String reason, String actor) {
        return resolve(id, "DISCARDED", reason, actor);
    }

    private Uni<Result> resolve(UUID id, String status, String reason, String actor) {
        return pool.withTransaction(conn -> conn
                        .preparedQuery("update dead_letter set status = $2, resolved_at = now() where id = $1 and status = 'PENDING'")
                        .execute(Tuple.of(id, status))
                        .flatMap(updated -> updated.rowCount() == 0
                                ? exists(conn, id).map(found -> found ? Result.ALREADY_RESOLVED : Result.NOT_FOUND)
                                : conn.preparedQuery("insert into dead_letter_audit (dead_letter_id, action, reason, actor) values ($1, $2, $3, $4)")
                                .execute(Tuple.of(id, status, reason, actor)).replaceWith(Result.DONE)))
                .call(r -> refreshPending())
                .invoke(r -> {
                    if (r == Result.DONE) {
                        LOG.infof("dead letter %s %s by %s%s", id, status.toLowerCase(), actor, reason == null ? "" : ": " + reason);
                    }
                });
    }

    private static Uni<Boolean> exists(SqlConnection conn, UUID id) {
        return conn.preparedQuery("select 1 from dead_letter where id = $1").execute(Tuple.of(id)).map(r -> r.size() > 0);
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refreshPending() {
        return pool.query("select count(*) as n from dead_letter where status = 'PENDING'").execute()
                .invoke(rows -> pending.set(rows.iterator().next().getLong("n")))
                .replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    private static DeadLetter map(Row r) {
        return new DeadLetter(r.getUUID("id"), r.getString("message_id"), r.getString("routing_key"), r.getString("reason"),
                r.getString("failure_class"), r.getInteger("attempts"), r.getOffsetDateTime("failed_at"), r.getString("failed_by"),
                r.getString("status"), r.getOffsetDateTime("resolved_at"), r.getString("body"));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
