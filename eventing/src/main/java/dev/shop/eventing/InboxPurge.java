package dev.shop.eventing;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Keeps the inbox bounded: ids older than {@code shop.eventing.inbox.retention} are deleted. */
@ApplicationScoped
public class InboxPurge {

    private final Pool pool;
    private final EventingConfig config;

    public InboxPurge(Pool pool, EventingConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purge() {
        return pool.preparedQuery("delete from inbox where processed_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) config.inbox().retention().toSeconds()))
                .replaceWithVoid();
    }
}
