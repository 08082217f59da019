package dev.shop.inventory.domain;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What inventory-svc tells the correctness monitor (order-svc): the facts it holds for given orders,
 * and its own invariants per product. Read-only, each answer one SQL statement, so it sees one
 * snapshot of the database: a saga transaction committing meanwhile is seen entirely or not at all,
 * and cannot show up as a false violation.
 */
@ApplicationScoped
public class StockCorrectness {

    public static final String STOCK_CONSERVED = "stock_conserved";
    public static final String RESERVED_MATCHES_HOLDS = "reserved_matches_holds";

    public record Line(String sku, int quantity) {
    }

    /** The reservation of one order: its status and (for HELD, COMMITTED, RELEASED) its lines. */
    public record OrderFacts(UUID orderId, ReservationStatus status, List<Line> lines) {
    }

    public record Violation(String invariant, String subject, String detail) {
    }

    public record Report(long subjectsChecked, List<Violation> violations) {
    }

    /** One product's numbers as the invariant query reads them. */
    record ProductCounts(String sku, long available, long reserved, long sold, long stocked, long held) {
    }

    private static final String FACTS = """
            select r.order_id, r.status, l.sku, l.quantity
              from reservation r
              left join reservation_line l on l.order_id = r.order_id
             where r.order_id = any($1)
             order by r.order_id, l.line_no""";

    /*
     * Products whose numbers break an invariant, plus the number of products checked (always one row:
     * the count, with null product columns when nothing is wrong). The held quantities come through the
     * partial index on HELD reservations, so the cost follows pending orders, not all orders ever made.
     */
    private static final String INVARIANTS = """
            with held as (
                select l.sku, sum(l.quantity) as held
                  from reservation r
                  join reservation_line l on l.order_id = r.order_id
                 where r.status = 'HELD'
                 group by l.sku),
            counts as (
                select p.sku, p.available, p.reserved, p.sold, p.stocked, coalesce(h.held, 0) as held
                  from product p
                  left join held h on h.sku = p.sku)
            select (select count(*) from product) as subjects, c.sku, c.available, c.reserved, c.sold, c.stocked, c.held
              from (select 1) as one
              left join counts c on c.available + c.reserved + c.sold <> c.stocked or c.reserved <> c.held
             order by c.sku""";

    private final Pool pool;

    public StockCorrectness(Pool pool) {
        this.pool = pool;
    }

    /** The reservations of the given orders; orders this service has never heard of are left out. */
    public Uni<List<OrderFacts>> facts(Collection<UUID> orderIds) {
        return pool.preparedQuery(FACTS).execute(Tuple.tuple().addArrayOfUUID(orderIds.toArray(UUID[]::new))).map(rows -> {
            Map<UUID, OrderFacts> byOrder = new LinkedHashMap<>();
            for (Row row : rows) {
                OrderFacts facts = byOrder.computeIfAbsent(row.getUUID("order_id"),
                        id -> new OrderFacts(id, ReservationStatus.valueOf(row.getString("status")), new ArrayList<>()));
                if (row.getString("sku") != null) {
                    facts.lines().add(new Line(row.getString("sku"), row.getInteger("quantity")));
                }
            }
            return List.copyOf(byOrder.values());
        });
    }

    /** stock_conserved and reserved_matches_holds over every product, computed in the database. */
    public Uni<Report> invariants() {
        return pool.query(INVARIANTS).execute().map(rows -> {
            long subjects = 0;
            List<Violation> violations = new ArrayList<>();
            for (Row row : rows) {
                subjects = row.getLong("subjects");
                if (row.getString("sku") != null) {
                    violations.addAll(violations(new ProductCounts(row.getString("sku"), row.getLong("available"),
                            row.getLong("reserved"), row.getLong("sold"), row.getLong("stocked"), row.getLong("held"))));
                }
            }
            return new Report(subjects, violations);
        });
    }

    /** The invariants one product breaks, each with the numbers that break it. */
    static List<Violation> violations(ProductCounts p) {
        List<Violation> out = new ArrayList<>(2);
        long total = p.available() + p.reserved() + p.sold();
        if (total != p.stocked()) {
            out.add(new Violation(STOCK_CONSERVED, p.sku(), "available %d + reserved %d + sold %d = %d, stocked %d"
                    .formatted(p.available(), p.reserved(), p.sold(), total, p.stocked())));
        }
        if (p.reserved() != p.held()) {
            out.add(new Violation(RESERVED_MATCHES_HOLDS, p.sku(), "reserved %d, held by reservations %d"
                    .formatted(p.reserved(), p.held())));
        }
        return out;
    }
}
