package dev.shop.order.journey;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.UUID;

/** One saga event of one order, as the journey projection recorded it. */
@Entity
@Table(name = "journey_step")
public class JourneyStep extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "order_id", nullable = false)
    public UUID orderId;

    @Column(nullable = false, length = 100)
    public String type;

    @Column(nullable = false, length = 100)
    public String service;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(nullable = false, length = 300)
    public String outcome;

    @Column(name = "trace_id", length = 32)
    public String traceId;
}
