package dev.shop.eventing;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;

/**
 * One naming convention for all four services (docs/observability.md): every meter carries the
 * {@code service} tag, and latency timers publish histogram buckets so p99 can be computed across
 * instances in Prometheus.
 */
@Singleton
public class Metrics {

    @Produces
    @Singleton
    MeterFilter serviceTag(@ConfigProperty(name = "quarkus.application.name") String service) {
        return MeterFilter.commonTags(List.of(Tag.of("service", service)));
    }

    /**
     * With a management interface there are two HTTP servers, and Quarkus 3.34 tags one server's
     * Vert.x meters with server.port and not the other's; Prometheus refuses two tag-key sets for one
     * name (and the failure stops the server from starting). Both servers count into one meter;
     * the requests timer's uri tag still tells the traffic apart.
     */
    @Produces
    @Singleton
    MeterFilter oneTagSetPerMeter() {
        return MeterFilter.ignoreTags("server.port");
    }

    @Produces
    @Singleton
    MeterFilter latencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals("http.server.requests") || id.getName().equals("shop.saga.duration")) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
                }
                return config;
            }
        };
    }
}
