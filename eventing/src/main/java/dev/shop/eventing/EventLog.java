package dev.shop.eventing;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The service's event log: outbox rows the relay has published, kept for
 * {@code shop.eventing.outbox.retention}. Republishing clears a row's {@code published_at}, so the
 * relay sends it again, with its original id and body, through the normal path: consumers that
 * already applied it drop it in their inbox; a consumer whose database was restored to an earlier
 * point applies it again (docs/operations.md, "Repair after a restore to an earlier point").
 */
@ApplicationScoped
public class EventLog {

    /** Most rows one republish call may requeue: a larger repair is several calls, by time slices. */
    public static final int MAX_REPUBLISH = 100_000;

    @RegisterForReflection
    public record LoggedEvent(UUID eventId, String type, String subject, OffsetDateTime createdAt, OffsetDateTime publishedAt) {
    }

    @RegisterForReflection
    public record Republished(int republished, OffsetDateTime since, OffsetDateTime until) {
    }

    private final Pool pool;
    private final EventingConfig config;
    private final OutboxRelay relay;

    public EventLog(Pool pool, EventingConfig config, OutboxRelay relay) {
        this.pool = pool;
        this.config = config;
        this.relay = relay;
    }

    /** The oldest time a republish may start from: events older than the consumers' inbox window could be applied twice. */
    public OffsetDateTime oldestRepublishable() {
        long seconds = Math.min(config.inbox().retention().toSeconds(), config.outbox().retention().toSeconds());
        return OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(seconds);
    }

    public Uni<List<LoggedEvent>> list(String subject, int limit) {
        return pool.preparedQuery("select event_id, type, subject, created_at, published_at from outbox"
                        + " where ($1::varchar is null or subject = $1) order by seq desc limit $2")
                .execute(Tuple.of(subject, limit))
                .map(rows -> {
                    List<LoggedEvent> events = new ArrayList<>();
                    for (Row row : rows) {
                        events.add(new LoggedEvent(row.getUUID("event_id"), row.getString("type"), row.getString("subject"),
                                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("published_at")));
                    }
                    return events;
                });
    }

    /**
     * Queues the logged events written in {@code [since, until)} (optionally only those about the given
     * orders or of the given types) for publishing again. Callers check the bounds first.
     */
    public Uni<Republished> republish(OffsetDateTime since, OffsetDateTime until, List<String> subjects, List<String> types) {
        String[] subjectArray = subjects == null || subjects.isEmpty() ? null : subjects.toArray(String[]::new);
        String[] typeArray = types == null || types.isEmpty() ? null : types.toArray(String[]::new);
        return pool.preparedQuery("with picked as (select seq from outbox where published_at is not null"
                        + " and created_at >= $1 and created_at < $2"
                        + " and ($3::varchar[] is null or subject = any($3)) and ($4::varchar[] is null or type = any($4))"
                        + " order by seq limit $5)"
                        + " update outbox o set published_at = null from picked where o.seq = picked.seq")
                .execute(Tuple.of(since, until, subjectArray, typeArray, MAX_REPUBLISH))
                .map(rows -> new Republished(rows.rowCount(), since, until))
                .invoke(relay::wake);
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> purge() {
        // In slices, so a long backlog never holds one huge delete.
        return pool.preparedQuery("delete from outbox where seq in (select seq from outbox where published_at is not null"
                        + " and published_at < now() - make_interval(secs => $1) limit 10000)")
                .execute(Tuple.of((double) config.outbox().retention().toSeconds()))
                .replaceWithVoid();
    }
}
