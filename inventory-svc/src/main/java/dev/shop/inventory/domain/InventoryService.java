package dev.shop.inventory.domain;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Stock use cases. The saga steps run in the consumer's transaction ({@code tx}, reactive SQL client);
 * the admin's PUT in its own (Hibernate Reactive). Products are locked (SELECT ... FOR UPDATE) in sku
 * order, so concurrent reservations of overlapping baskets serialise without deadlocks and can never
 * oversell.
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

    private static final String LOCK_PRODUCTS =
            "select sku, price, available, reserved from product where sku = any($1) order by sku for update";
    private static final String INSERT_RESERVATION = "insert into reservation (order_id, status, reject_reason, updated_at) "
            + "values ($1, $2, $3, $4) on conflict (order_id) do nothing";
    private static final String RESERVATION_STATUS = "select status from reservation where order_id = $1";
    private static final String INSERT_LINE =
            "insert into reservation_line (order_id, line_no, sku, quantity, unit_price) values ($1, $2, $3, $4, $5)";
    private static final String RESERVE = "update product set available = $2, reserved = $3, version = version + 1 where sku = $1";
    private static final String LOCK_RESERVATION = "select r.status, l.sku, l.quantity, l.unit_price from reservation r "
            + "left join reservation_line l on l.order_id = r.order_id where r.order_id = $1 order by l.sku for update of r";
    private static final String SETTLE = "update reservation set status = $2, updated_at = $3, version = version + 1 where order_id = $1";
    /** {@link Product#sell}: reserved units become sold (CHECK reserved >= 0 guards the invariant). */
    private static final String SELL = "update product set reserved = reserved - $2, sold = sold + $2, version = version + 1 where sku = $1";
    /** {@link Product#release}: reserved units become available again. */
    private static final String RELEASE = "update product set reserved = reserved - $2, available = available + $2, version = version + 1 where sku = $1";

    /**
     * order.placed, in the saga step's transaction {@code tx}: reserves every line or nothing. The
     * products are locked in sku order; the reservation row (keyed by order) records the decision, so
     * a second placement of the same order, or one arriving after its cancellation, changes nothing.
     */
    public Uni<ReserveOutcome> reserve(SqlClient tx, UUID orderId, List<Quantity> requested) {
        SortedMap<String, Integer> wanted = requested.stream()
                .collect(Collectors.toMap(Quantity::sku, Quantity::quantity, Integer::sum, TreeMap::new));
        return lockProducts(tx, wanted.keySet()).flatMap(products -> {
            Optional<String> unknown = wanted.keySet().stream().filter(sku -> !products.containsKey(sku)).findFirst();
            if (unknown.isPresent()) {
                return reject(tx, orderId, "UNKNOWN_PRODUCT", unknown.get());
            }
            Optional<String> short_ = wanted.entrySet().stream()
                    .filter(e -> !products.get(e.getKey()).canReserve(e.getValue())).map(Map.Entry::getKey).findFirst();
            if (short_.isPresent()) {
                return reject(tx, orderId, "OUT_OF_STOCK", short_.get());
            }
            Reservation reservation = Reservation.of(orderId, ReservationStatus.HELD);
            return decide(tx, reservation).flatMap(existing -> {
                if (existing != null) {
                    return Uni.createFrom().item(existing);
                }
                List<Tuple> updates = new ArrayList<>();
                List<Tuple> lines = new ArrayList<>();
                wanted.forEach((sku, quantity) -> {
                    Product product = products.get(sku);
                    product.reserve(quantity);
                    updates.add(Tuple.of(sku, product.available, product.reserved));
                    lines.add(Tuple.of(orderId, reservation.lines.size(), sku, quantity, product.price));
                    reservation.lines.add(new ReservationLine(sku, quantity, product.price));
                });
                return tx.preparedQuery(RESERVE).executeBatch(updates)
                        .flatMap(ignored -> tx.preparedQuery(INSERT_LINE).executeBatch(lines))
                        .replaceWith(new ReserveOutcome.Reserved(reservation));
            });
        });
    }

    private Uni<ReserveOutcome> reject(SqlClient tx, UUID orderId, String reason, String sku) {
        Reservation rejected = Reservation.of(orderId, ReservationStatus.REJECTED);
        rejected.rejectReason = reason;
        return decide(tx, rejected).map(existing -> existing != null ? existing : new ReserveOutcome.Rejected(reason, sku));
    }

    /** Inserts the order's reservation row; null if it was new, else what was decided before. */
    private Uni<ReserveOutcome> decide(SqlClient tx, Reservation reservation) {
        return tx.preparedQuery(INSERT_RESERVATION).execute(Tuple.of(reservation.orderId, reservation.status.name(),
                        reservation.rejectReason, reservation.updatedAt.atOffset(ZoneOffset.UTC)))
                .flatMap(rows -> rows.rowCount() == 1 ? Uni.createFrom().<ReserveOutcome>nullItem()
                        : tx.preparedQuery(RESERVATION_STATUS).execute(Tuple.of(reservation.orderId)).map(existing ->
                                new ReserveOutcome.AlreadyDecided(ReservationStatus.valueOf(existing.iterator().next().getString("status")))));
    }

    /** order.confirmed: the held units are sold. @return the sold lines, or empty if nothing was held. */
    public Uni<List<ReservationLine>> commit(SqlClient tx, UUID orderId) {
        return settle(tx, orderId, ReservationStatus.COMMITTED, SELL).map(lines -> lines == null ? List.of() : lines);
    }

    /**
     * order.cancelled: held units go back to available. If no reservation exists yet, a
     * CANCELLED_EARLY marker makes a late order.placed for this order a no-op.
     */
    public Uni<List<ReservationLine>> release(SqlClient tx, UUID orderId) {
        return settle(tx, orderId, ReservationStatus.RELEASED, RELEASE).flatMap(lines -> lines != null ? Uni.createFrom().item(lines)
                : decide(tx, Reservation.of(orderId, ReservationStatus.CANCELLED_EARLY)).flatMap(existing -> existing == null
                        ? Uni.createFrom().item(List.<ReservationLine>of())
                        // The marker met a reservation committed meanwhile (order.placed handled concurrently): settle that one.
                        : settle(tx, orderId, ReservationStatus.RELEASED, RELEASE)));
    }

    /**
     * Settles a HELD reservation: locks it (its row serialises concurrent settles of one order), applies
     * {@code productUpdate} to each of its lines' products in sku order, and records {@code target}.
     * @return the settled lines; empty if it was not HELD; null if there is no reservation.
     */
    private Uni<List<ReservationLine>> settle(SqlClient tx, UUID orderId, ReservationStatus target, String productUpdate) {
        return tx.preparedQuery(LOCK_RESERVATION).execute(Tuple.of(orderId)).flatMap(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().nullItem();
            }
            List<ReservationLine> lines = new ArrayList<>();
            String status = null;
            for (Row row : rows) {
                status = row.getString("status");
                if (row.getString("sku") != null) {
                    lines.add(new ReservationLine(row.getString("sku"), row.getInteger("quantity"), row.getBigDecimal("unit_price")));
                }
            }
            if (!ReservationStatus.HELD.name().equals(status)) {
                return Uni.createFrom().item(List.<ReservationLine>of());
            }
            List<Tuple> updates = lines.stream().map(l -> Tuple.of(l.sku, l.quantity)).toList();
            Uni<?> products = updates.isEmpty() ? Uni.createFrom().voidItem() : tx.preparedQuery(productUpdate).executeBatch(updates);
            return products.flatMap(ignored -> tx.preparedQuery(SETTLE).execute(Tuple.of(orderId, target.name(),
                    OffsetDateTime.now(ZoneOffset.UTC)))).replaceWith(List.copyOf(lines));
        });
    }

    private Uni<Map<String, Product>> lockProducts(SqlClient tx, java.util.Collection<String> skus) {
        return tx.preparedQuery(LOCK_PRODUCTS).execute(Tuple.of(skus.toArray(String[]::new))).map(rows -> {
            Map<String, Product> products = new java.util.HashMap<>();
            for (Row row : rows) {
                Product product = new Product();
                product.sku = row.getString("sku");
                product.price = row.getBigDecimal("price");
                product.available = row.getInteger("available");
                product.reserved = row.getInteger("reserved");
                products.put(product.sku, product);
            }
            return products;
        });
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
