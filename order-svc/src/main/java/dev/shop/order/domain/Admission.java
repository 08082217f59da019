package dev.shop.order.domain;

import dev.shop.eventing.http.ProblemException;
import dev.shop.order.config.OrderConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load shedding at the front door. When the saga falls behind, an order accepted now is likely to
 * reach the deadline and be cancelled with TIMEOUT, and compensating it is more work for a system
 * that is already saturated. So while more than {@code shop.order.admission.max-overdue} orders
 * have been PENDING for longer than {@code overdue-after}, new placements are refused with
 * 503 + {@code Retry-After} (nothing is written; the client retries, with its Idempotency-Key).
 * A few stuck orders (say, one whose event is parked in a DLQ) do not trip it; a backlog does.
 */
@ApplicationScoped
public class Admission {

    private static final Logger LOG = Logger.getLogger(Admission.class);
    private static final int RETRY_AFTER_SECONDS = 5;

    private final OrderRepository repository;
    private final OrderConfig.Admission config;
    private final AtomicLong overdue = new AtomicLong();
    private final Counter shed;
    private volatile boolean shedding;

    public Admission(OrderRepository repository, OrderConfig config, MeterRegistry registry) {
        this.repository = repository;
        this.config = config.admission();
        this.shed = Counter.builder("shop.orders.shed").description("Placements refused with 503 while the saga is behind").register(registry);
        Gauge.builder("shop.orders.overdue", overdue, AtomicLong::get)
                .description("PENDING orders older than shop.order.admission.overdue-after").register(registry);
    }

    @Scheduled(every = "${shop.order.admission.refresh-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refresh() {
        return Panache.withSession(() -> repository.countPendingPlacedBefore(Instant.now().minus(config.overdueAfter())))
                .invoke(n -> {
                    overdue.set(n);
                    boolean now = config.maxOverdue() > 0 && n > config.maxOverdue();
                    if (now != shedding) {
                        shedding = now;
                        if (now) {
                            LOG.warnf("shedding load: %d orders pending for more than %s (limit %d)", n, config.overdueAfter(), config.maxOverdue());
                        } else {
                            LOG.infof("accepting orders again: %d overdue", n);
                        }
                    }
                })
                .onFailure().invoke(f -> LOG.debugf("admission refresh failed: %s", f))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** @throws ProblemException 503 with Retry-After while the saga is too far behind */
    public void check() {
        if (shedding) {
            shed.increment();
            throw ProblemException.unavailable("urn:shop:problem:overloaded", "Too many orders in progress",
                    overdue.get() + " orders have been in progress for more than " + config.overdueAfter().toSeconds()
                            + " s; nothing was placed, retry later", RETRY_AFTER_SECONDS);
        }
    }
}
