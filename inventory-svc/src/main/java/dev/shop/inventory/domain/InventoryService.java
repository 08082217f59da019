package dev.shop.inventory.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Stock use cases. Callers provide the transaction (the REST call's or the consumer's). Products
 * are locked (SELECT ... FOR UPDATE) in sku order, so concurrent reservations of overlapping
 * baskets serialise without deadlocks and can never oversell.
 */
@ApplicationScoped
public class InventoryService {

    public sealed interface ReserveOutcome {
        record Reserved(Reservation reservation) implements ReserveOutcome {
        }

        record Rejected(String reason, String sku) implements ReserveOutcome {
        }

        /** A reservation for this order already exists (duplicate placement, or the order was cancelled first). */
        record AlreadyDecided(ReservationStatus status) implements ReserveOutcome {
        }
    }

    public record Quantity(String sku, int quantity) {
    }

    /** Reserves every line or nothing. */
    public Uni<ReserveOutcome> reserve(UUID orderId, List<Quantity> requested) {
        SortedMap<String, Integer> wanted = requested.stream()
                .collect(Collectors.toMap(Quantity::sku, Quantity::quantity, Integer::sum, TreeMap::new));
        return Reservation.<Reservation>findById(orderId).flatMap(existing -> {
            if (existing != null) {
                return Uni.createFrom().item(new ReserveOutcome.AlreadyDecided(existing.status));
            }
            return lockProducts(wanted.keySet()).flatMap(products -> {
                Optional<String> unknown = wanted.keySet().stream().filter(sku -> !products.containsKey(sku)).findFirst();
                if (unknown.isPresent()) {
                    return reject(orderId, "UNKNOWN_PRODUCT", unknown.get());
                }
                Optional<String> short_ = wanted.entrySet().stream()
                        .filter(e -> !products.get(e.getKey()).canReserve(e.getValue())).map(Map.Entry::getKey).findFirst();
                if (short_.isPresent()) {
                    return reject(orderId, "OUT_OF_STOCK", short_.get());
                }
                Reservation reservation = Reservation.of(orderId, ReservationStatus.HELD);
                wanted.forEach((sku, quantity) -> {
                    Product product = products.get(sku);
                    product.reserve(quantity);
                    reservation.lines.add(new ReservationLine(sku, quantity, product.price));
                });
                return reservation.<Reservation>persist().map(ReserveOutcome.Reserved::new);
            });
        });
    }

    private Uni<ReserveOutcome> reject(UUID orderId, String reason, String sku) {
        Reservation rejected = Reservation.of(orderId, ReservationStatus.REJECTED);
        rejected.rejectReason = reason;
        return rejected.persist().replaceWith(new ReserveOutcome.Rejected(reason, sku));
    }

    /** order.confirmed: the held units are sold. @return the sold lines, or empty if nothing was held. */
    public Uni<List<ReservationLine>> commit(UUID orderId) {
        return lockReservation(orderId).flatMap(reservation -> reservation == null
                ? Uni.createFrom().item(List.<ReservationLine>of())
                : settle(reservation, ReservationStatus.COMMITTED, (product, line) -> product.sell(line.quantity)));
    }

    /**
     * order.cancelled: held units go back to available. If no reservation exists yet, a
     * CANCELLED_EARLY marker makes a late order.placed for this order a no-op.
     */
    public Uni<List<ReservationLine>> release(UUID orderId) {
        return lockReservation(orderId).flatMap(reservation -> reservation == null
                ? Reservation.of(orderId, ReservationStatus.CANCELLED_EARLY).persist().replaceWith(List.<ReservationLine>of())
                : settle(reservation, ReservationStatus.RELEASED, (product, line) -> product.release(line.quantity)));
    }

    /**
     * Not a pessimistic lock: the reservation's {@code version} column serialises concurrent settles
     * (the loser retries and finds it settled), and the products it touches are locked FOR UPDATE.
     * Pessimistic locks on this entity trip Hibernate 7 / Hibernate Reactive bugs: a lock upgrade
     * of a loaded instance renders invalid SQL, and follow-on locking of its eager collection table
     * fails with a NullPointerException under concurrent consumers.
     */
    private Uni<Reservation> lockReservation(UUID orderId) {
        return Reservation.findById(orderId);
    }

    private Uni<List<ReservationLine>> settle(Reservation reservation, ReservationStatus target,
                                              java.util.function.BiConsumer<Product, ReservationLine> effect) {
        if (reservation.status != ReservationStatus.HELD) {
            return Uni.createFrom().item(List.<ReservationLine>of());
        }
        var skus = reservation.lines.stream().map(l -> l.sku).collect(Collectors.toCollection(java.util.TreeSet::new));
        return lockProducts(skus).map(products -> {
            reservation.lines.forEach(line -> effect.accept(products.get(line.sku), line));
            reservation.status = target;
            reservation.updatedAt = Instant.now();
            return List.copyOf(reservation.lines);
        });
    }

    private Uni<Map<String, Product>> lockProducts(java.util.Collection<String> skus) {
        return Product.<Product>find("sku in ?1 order by sku", List.copyOf(skus))
                .withLock(LockModeType.PESSIMISTIC_WRITE).list()
                .map(list -> list.stream().collect(Collectors.toMap(p -> p.sku, Function.identity())));
    }

    /**
     * PUT semantics: creates or replaces name, price and available; units reserved for pending orders
     * stay reserved. The change of available is booked as a stock adjustment in the same transaction.
     */
    public Uni<Boolean> upsert(String sku, String name, BigDecimal price, int available) {
        return Panache.withTransaction(() -> Product.<Product>findById(sku, LockModeType.PESSIMISTIC_WRITE).flatMap(existing -> {
            Product product = existing != null ? existing : new Product();
            product.sku = sku;
            product.name = name;
            product.price = price;
            product.restock(available);
            return product.persist().replaceWith(existing == null);
        }));
    }

    public Uni<Product> find(String sku) {
        return Panache.withSession(() -> Product.findById(sku));
    }
}
