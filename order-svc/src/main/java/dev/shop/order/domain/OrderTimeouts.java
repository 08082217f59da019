package dev.shop.order.domain;

import dev.shop.order.config.OrderConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The saga's deadline: an order still PENDING after {@code shop.order.saga-timeout} is cancelled with
 * TIMEOUT and compensated like any other cancellation. Safe with several instances: the order's
 * version column makes a concurrent sweep or saga handler lose and retry, never double-cancel.
 */
@ApplicationScoped
public class OrderTimeouts {

    private static final Logger LOG = Logger.getLogger(OrderTimeouts.class);

    private final OrderService orders;
    private final OrderConfig config;

    public OrderTimeouts(OrderService orders, OrderConfig config) {
        this.orders = orders;
        this.config = config;
    }

    @Scheduled(every = "${shop.order.timeout-sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> sweep() {
        // Bounded: with SKIP execution, a sweep that never ended (a database that stopped answering)
        // would stop every later one.
        return orders.cancelOverdue(config.sagaTimeout(), config.timeoutSweepBatch())
                .ifNoItem().after(java.time.Duration.ofSeconds(30)).fail()
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("cancelled %d overdue order(s) with TIMEOUT", n);
                    }
                })
                .onFailure().invoke(f -> LOG.warnf("timeout sweep failed, retrying next tick: %s", f.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
