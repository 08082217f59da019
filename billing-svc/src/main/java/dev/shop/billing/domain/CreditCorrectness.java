package dev.shop.billing.domain;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What billing-svc tells the correctness monitor (order-svc): the payments it holds for given orders,
 * and whether credit is conserved per account. Read-only, each answer one SQL statement, so it sees
 * one snapshot: a saga transaction committing meanwhile is seen entirely or not at all, and cannot
 * show up as a false violation.
 *
 * credit_conserved: {@code granted - sum(amount of AUTHORIZED payments) = credit}. This is the issue's
 * "initial credit - authorized + refunded = current credit": a refund turns an AUTHORIZED payment into a
 * REFUNDED one and gives its amount back, so every payment ever authorised and later refunded cancels
 * out; DECLINED and VOIDED payments never took credit. Admin credit changes are in {@code granted}.
 */
@ApplicationScoped
public class CreditCorrectness {

    public static final String CREDIT_CONSERVED = "credit_conserved";

    /** The payment billing decided for one order (VOIDED: cancelled before it could be charged, amount 0). */
    public record OrderFacts(UUID orderId, PaymentStatus status, BigDecimal amount, String customerId) {
    }

    public record Violation(String invariant, String subject, String detail) {
    }

    public record Report(long subjectsChecked, List<Violation> violations) {
    }

    /** One customer's numbers as the invariant query reads them; {@code credit}/{@code granted} are null without an account. */
    record AccountCounts(String customerId, BigDecimal credit, BigDecimal granted, BigDecimal authorized) {
    }

    private static final String FACTS = """
            select order_id, status, amount, customer_id
              from payment
             where order_id = any($1)
             order by order_id""";

    /*
     * Customers whose numbers break the invariant, plus the number checked (always one row: the count,
     * with null columns when nothing is wrong). The full join also catches AUTHORIZED payments of a
     * customer without an account. Weaker than it looks on cost: the sum reads every AUTHORIZED payment
     * (confirmed orders stay AUTHORIZED), so a check costs time linear in the payments kept.
     */
    private static final String INVARIANTS = """
            with authorized as (
                select customer_id, sum(amount) as authorized
                  from payment
                 where status = 'AUTHORIZED'
                 group by customer_id),
            counts as (
                select coalesce(a.customer_id, p.customer_id) as customer_id, a.credit, a.granted,
                       coalesce(p.authorized, 0) as authorized
                  from account a
                  full join authorized p on p.customer_id = a.customer_id)
            select (select count(*) from counts) as subjects, c.customer_id, c.credit, c.granted, c.authorized
              from (select 1) as one
              left join counts c on c.credit is null or c.granted - c.authorized <> c.credit
             order by c.customer_id""";

    private final Pool pool;

    public CreditCorrectness(Pool pool) {
        this.pool = pool;
    }

    /** The payments of the given orders; orders this service has never heard of are left out. */
    public Uni<List<OrderFacts>> facts(Collection<UUID> orderIds) {
        return pool.preparedQuery(FACTS).execute(Tuple.tuple().addArrayOfUUID(orderIds.toArray(UUID[]::new))).map(rows -> {
            List<OrderFacts> out = new ArrayList<>();
            for (Row row : rows) {
                out.add(new OrderFacts(row.getUUID("order_id"), PaymentStatus.valueOf(row.getString("status")),
                        row.getBigDecimal("amount"), row.getString("customer_id")));
            }
            return out;
        });
    }

    /** credit_conserved over every account (and every customer with authorised payments), computed in the database. */
    public Uni<Report> invariants() {
        return pool.query(INVARIANTS).execute().map(rows -> {
            long subjects = 0;
            List<Violation> violations = new ArrayList<>();
            for (Row row : rows) {
                subjects = row.getLong("subjects");
                if (row.getString("customer_id") != null) {
                    violation(new AccountCounts(row.getString("customer_id"), row.getBigDecimal("credit"),
                            row.getBigDecimal("granted"), row.getBigDecimal("authorized"))).ifPresent(violations::add);
                }
            }
            return new Report(subjects, violations);
        });
    }

    /** The violation of one customer's numbers, if they break the invariant, with the numbers that break it. */
    static Optional<Violation> violation(AccountCounts a) {
        if (a.credit() == null) {
            return Optional.of(new Violation(CREDIT_CONSERVED, a.customerId(),
                    "authorized %s, but there is no account".formatted(money(a.authorized()))));
        }
        BigDecimal expected = a.granted().subtract(a.authorized());
        if (expected.compareTo(a.credit()) == 0) {
            return Optional.empty();
        }
        return Optional.of(new Violation(CREDIT_CONSERVED, a.customerId(), "granted %s - authorized %s = %s, credit %s".formatted(
                money(a.granted()), money(a.authorized()), money(expected), money(a.credit()))));
    }

    /** Two decimals at least, never rounded: {@code 0 -> 0.00}. */
    private static String money(BigDecimal amount) {
        return amount.setScale(Math.max(2, amount.scale())).toPlainString();
    }
}
