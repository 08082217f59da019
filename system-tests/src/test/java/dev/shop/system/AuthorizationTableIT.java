package dev.shop.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shop.client.billing.api.AccountsApi;
import dev.shop.client.billing.api.PaymentsApi;
import dev.shop.client.billing.model.AccountRequest;
import dev.shop.client.inventory.api.ProductsApi;
import dev.shop.client.inventory.model.ProductRequest;
import dev.shop.client.notification.api.NotificationsApi;
import dev.shop.client.notification.model.NotificationView;
import dev.shop.client.order.api.OrdersApi;
import dev.shop.client.order.model.Line;
import dev.shop.client.order.model.OrderPage;
import dev.shop.client.order.model.OrderStatus;
import dev.shop.client.order.model.OrderView;
import dev.shop.client.order.model.PlaceOrderRequest;
import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import dev.shop.system.Clients.Call;
import dev.shop.system.Clients.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.shop.system.Api.SAGA_WAIT;
import static dev.shop.system.Api.unique;
import static dev.shop.system.Clients.bearer;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what, as one table: every REST operation of every service's OpenAPI document (as the running
 * service serves it at /q/openapi) × every kind of caller, with the exact status each must get, called
 * through the Java clients generated from those same documents. On every refusal the rows the operation
 * could write are read before and after, straight from the service's database, and must be unchanged.
 *
 * <p>The table is complete by construction: an operation in a document without a row fails the test (so a
 * new endpoint cannot skip it), and so does a row whose operation no document has. Each row's roles must
 * be exactly the document's security requirement for that operation, and every status the table expects
 * must be a response the document declares.
 *
 * <p>Every refusal is problem+json without internals; 401 also carries {@code WWW-Authenticate: Bearer}.
 * The invalid tokens carry every role and only one defect each (expired, foreign signature, wrong issuer,
 * wrong audience), so nothing but that defect can explain a 401. The admin token has only the admin role,
 * so an endpoint that forgot to admit admins (relying on admin tokens usually also being operator tokens)
 * shows up here.
 *
 * <p>The one public operation, {@code GET /api/v1/products/{sku}}, answers 200 to every caller, even to an
 * expired or foreign token: authentication is not proactive (quarkus.http.auth.proactive=false, so that
 * 401/403 are answered as problem+json by the REST layer), and an operation that needs no identity never
 * looks at the token. That is what the service does, and the table says so.
 */
class AuthorizationTableIT {

    /** The kinds of caller, in the table's column order. */
    enum Caller { NO_TOKEN, EXPIRED, BAD_SIGNATURE, WRONG_ISSUER, WRONG_AUDIENCE, CUSTOMER_SELF, CUSTOMER_OTHER, OPERATOR, ADMIN }

    private static final Set<String> PUBLIC = Set.of();
    private static final Set<String> CUSTOMER = Set.of("customer");
    private static final Set<String> STAFF = Set.of("operator", "admin");
    private static final Set<String> ADMIN = Set.of("admin");
    private static final Set<String> EVERYONE = Set.of("customer", "operator", "admin");

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Traces of internals that must never reach a client (as in HostileInputIT). */
    private static final Pattern LEAK = Pattern.compile(
            "Exception|\\bat (java|io|org|dev|com)\\.|java\\.lang|org\\.hibernate|io\\.vertx|io\\.smallrye|SQLState|PSQLException|dev\\.shop\\.");

    /** The customer who owns the fixture order, payment, account and notification. */
    private static String self;
    /** Another customer, with an order and an account of its own. */
    private static String other;
    private static String sku;
    private static UUID order;
    private static BigDecimal selfCredit;
    /** Per service: a dead letter that an admin already discarded (reads succeed, replay/discard are 409). */
    private static final Map<String, UUID> DEAD_LETTER = new LinkedHashMap<>();
    private static final Map<Caller, Map<String, String>> HEADERS = new EnumMap<>(Caller.class);

    @BeforeAll
    static void fixtures() throws Exception {
        ShopSystem.get();
        self = unique("tbl-self");
        other = unique("tbl-other");
        sku = unique("TBL");
        Map<String, String> admin = bearer(Tokens.token("table-admin", ADMIN));
        new ProductsApi(Clients.inventory()).putProduct(sku, new ProductRequest().name("Table " + sku).price(new BigDecimal("5.00")).available(100), admin);
        var accounts = new AccountsApi(Clients.billing());
        accounts.putAccount(self, new AccountRequest().credit(new BigDecimal("100.00")), admin);
        accounts.putAccount(other, new AccountRequest().credit(new BigDecimal("100.00")), admin);
        var orders = new OrdersApi(Clients.order());
        order = orders.placeOrder(new PlaceOrderRequest().items(List.of(new Line().sku(sku).quantity(1))), null, bearer(Tokens.customer(self))).getId();
        orders.placeOrder(new PlaceOrderRequest().items(List.of(new Line().sku(unique("NOSUCH")).quantity(1))), null, bearer(Tokens.customer(other)));
        Eventually.await(SAGA_WAIT, () -> quietly(() -> orders.getOrder(order.toString(), admin)), o -> o.getStatus() == OrderStatus.CONFIRMED,
                "fixture order " + order + " confirmed");
        Eventually.await(SAGA_WAIT, () -> quietly(() -> new NotificationsApi(Clients.notification()).listNotifications(null, null, order.toString(), admin)),
                n -> !n.isEmpty(), "fixture order's notification");
        selfCredit = accounts.getAccount(self, admin).getCredit();
        // A dead letter in each service, already discarded: written straight into the table the service keeps
        // them in, because making a real one needs a failing handler (OperationsIT does that). Never PENDING,
        // so no replay picks it up and no pending-dead-letter gauge or alert sees it.
        for (String svc : ShopSystem.PORTS.keySet()) {
            UUID id = UUID.randomUUID();
            sql(svc, "insert into dead_letter (id, dedupe_key, message_id, routing_key, reason, failure_class, attempts, failed_at, failed_by, body, "
                    + "status, resolved_at) values ('" + id + "', '" + id + "', 'authorization-table', 'order.placed', 'AuthorizationTableIT fixture', "
                    + "'POISON', 1, now(), '" + svc + "-svc', '{}', 'DISCARDED', now())");
            DEAD_LETTER.put(svc, id);
        }
        Set<String> all = EVERYONE;
        HEADERS.put(Caller.NO_TOKEN, Clients.anonymous());
        HEADERS.put(Caller.EXPIRED, bearer(Tokens.expired(self, all)));
        HEADERS.put(Caller.BAD_SIGNATURE, bearer(Tokens.foreignSignature(self, all)));
        HEADERS.put(Caller.WRONG_ISSUER, bearer(Tokens.wrongIssuer(self, all)));
        HEADERS.put(Caller.WRONG_AUDIENCE, bearer(Tokens.wrongAudience(self, all)));
        HEADERS.put(Caller.CUSTOMER_SELF, bearer(Tokens.customer(self)));
        HEADERS.put(Caller.CUSTOMER_OTHER, bearer(Tokens.customer(other)));
        HEADERS.put(Caller.OPERATOR, bearer(Tokens.token("table-operator", Set.of("operator"))));
        HEADERS.put(Caller.ADMIN, admin);
    }

    /**
     * The table. Statuses in {@link Caller} order:
     * no token, expired, bad signature, wrong issuer, wrong audience, customer (self), customer (other), operator, admin.
     */
    private static List<Row> table() {
        var orders = new OrdersApi(Clients.order());
        var products = new ProductsApi(Clients.inventory());
        var accounts = new AccountsApi(Clients.billing());
        var payments = new PaymentsApi(Clients.billing());
        var notifications = new NotificationsApi(Clients.notification());
        var orderOps = new dev.shop.client.order.api.OperationsApi(Clients.order());
        var inventoryOps = new dev.shop.client.inventory.api.OperationsApi(Clients.inventory());
        var billingOps = new dev.shop.client.billing.api.OperationsApi(Clients.billing());
        var notificationOps = new dev.shop.client.notification.api.OperationsApi(Clients.notification());
        String id = order.toString();
        List<Row> rows = new ArrayList<>();
        //                                                          none exp  sig  iss  aud  self other oper admin
        rows.add(row("order", "placeOrder", CUSTOMER,            s(401, 401, 401, 401, 401, 202, 403, 403, 403),
                Clients.order(h -> orders.placeOrderWithHttpInfo(new PlaceOrderRequest().customerId(self)
                        .items(List.of(new Line().sku(unique("NOSUCH")).quantity(1))), UUID.randomUUID().toString(), h)))
                .guard("order", "select count(*) from orders")
                .check((caller, out) -> caller != Caller.CUSTOMER_SELF || self.equals(((OrderView) out.data()).getCustomerId())));
        rows.add(row("order", "listOrders", EVERYONE,            s(401, 401, 401, 401, 401, 200, 200, 200, 200),
                Clients.order(h -> orders.listOrdersWithHttpInfo(null, null, 100, null, h)))
                .check((caller, out) -> {
                    var items = ((OrderPage) out.data()).getItems();
                    return switch (caller) {
                        // Customers list only their own orders, whatever they ask for.
                        case CUSTOMER_SELF -> items.stream().anyMatch(o -> order.equals(o.getId())) && items.stream().allMatch(o -> self.equals(o.getCustomerId()));
                        case CUSTOMER_OTHER -> !items.isEmpty() && items.stream().allMatch(o -> other.equals(o.getCustomerId()));
                        default -> !items.isEmpty();
                    };
                }));
        rows.add(row("order", "getOrder", EVERYONE,              s(401, 401, 401, 401, 401, 200, 404, 200, 200),
                Clients.order(h -> orders.getOrderWithHttpInfo(id, h)))
                .check((caller, out) -> order.equals(((OrderView) out.data()).getId())));
        rows.add(row("order", "getOrderJourney", STAFF,          s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.order(h -> orders.getOrderJourneyWithHttpInfo(id, h))));
        rows.add(row("order", "listAllDeadLetters", STAFF,       s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.order(h -> orderOps.listAllDeadLettersWithHttpInfo(h))));
        deadLetterRows(rows, "order",
                Clients.order(h -> orderOps.listDeadLettersWithHttpInfo(10, null, h)),
                Clients.order(h -> orderOps.getDeadLetterWithHttpInfo(DEAD_LETTER.get("order"), h)),
                Clients.order(h -> orderOps.replayDeadLetterWithHttpInfo(DEAD_LETTER.get("order"), h)),
                Clients.order(h -> orderOps.discardDeadLetterWithHttpInfo(DEAD_LETTER.get("order"),
                        new dev.shop.client.order.model.DiscardRequest().reason("table"), h)),
                Clients.order(h -> orderOps.replayAllDeadLettersWithHttpInfo(h)));

        rows.add(row("inventory", "putProduct", ADMIN,           s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.inventory(h -> products.putProductWithHttpInfo(sku, new ProductRequest().name("Table " + sku).price(new BigDecimal("5.00")).available(99), h)))
                .guard("inventory", "select count(*) || ':' || coalesce(max(name || price || '/' || available || '/' || reserved) filter (where sku = '" + sku + "'), '') from product"));
        // Public: no token needed, and a token that is sent is not looked at (see the class comment).
        rows.add(row("inventory", "getProduct", PUBLIC,          s(200, 200, 200, 200, 200, 200, 200, 200, 200),
                Clients.inventory(h -> products.getProductWithHttpInfo(sku, h))));
        deadLetterRows(rows, "inventory",
                Clients.inventory(h -> inventoryOps.listDeadLettersWithHttpInfo(10, null, h)),
                Clients.inventory(h -> inventoryOps.getDeadLetterWithHttpInfo(DEAD_LETTER.get("inventory"), h)),
                Clients.inventory(h -> inventoryOps.replayDeadLetterWithHttpInfo(DEAD_LETTER.get("inventory"), h)),
                Clients.inventory(h -> inventoryOps.discardDeadLetterWithHttpInfo(DEAD_LETTER.get("inventory"),
                        new dev.shop.client.inventory.model.DiscardRequest().reason("table"), h)),
                Clients.inventory(h -> inventoryOps.replayAllDeadLettersWithHttpInfo(h)));

        rows.add(row("billing", "putAccount", ADMIN,             s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.billing(h -> accounts.putAccountWithHttpInfo(self, new AccountRequest().credit(selfCredit), h)))
                .guard("billing", "select count(*) || ':' || coalesce(max(credit) filter (where customer_id = '" + self + "'), -1) from account"));
        rows.add(row("billing", "getAccount", EVERYONE,          s(401, 401, 401, 401, 401, 200, 404, 200, 200),
                Clients.billing(h -> accounts.getAccountWithHttpInfo(self, h))));
        rows.add(row("billing", "getPayment", EVERYONE,          s(401, 401, 401, 401, 401, 200, 404, 200, 200),
                Clients.billing(h -> payments.getPaymentWithHttpInfo(id, h))));
        deadLetterRows(rows, "billing",
                Clients.billing(h -> billingOps.listDeadLettersWithHttpInfo(10, null, h)),
                Clients.billing(h -> billingOps.getDeadLetterWithHttpInfo(DEAD_LETTER.get("billing"), h)),
                Clients.billing(h -> billingOps.replayDeadLetterWithHttpInfo(DEAD_LETTER.get("billing"), h)),
                Clients.billing(h -> billingOps.discardDeadLetterWithHttpInfo(DEAD_LETTER.get("billing"),
                        new dev.shop.client.billing.model.DiscardRequest().reason("table"), h)),
                Clients.billing(h -> billingOps.replayAllDeadLettersWithHttpInfo(h)));

        rows.add(row("notification", "listNotifications", EVERYONE, s(401, 401, 401, 401, 401, 200, 200, 200, 200),
                Clients.notification(h -> notifications.listNotificationsWithHttpInfo(null, null, id, h)))
                .check((caller, out) -> {
                    @SuppressWarnings("unchecked")
                    var list = (List<NotificationView>) out.data();
                    // Another customer's order yields an empty list, exactly like an unknown order.
                    return caller == Caller.CUSTOMER_OTHER ? list.isEmpty() : !list.isEmpty() && list.stream().allMatch(n -> order.equals(n.getOrderId()));
                }));
        rows.add(row("notification", "listCallbacks", STAFF,    s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.notification(h -> notificationOps.listCallbacksWithHttpInfo(10, null, h))));
        deadLetterRows(rows, "notification",
                Clients.notification(h -> notificationOps.listDeadLettersWithHttpInfo(10, null, h)),
                Clients.notification(h -> notificationOps.getDeadLetterWithHttpInfo(DEAD_LETTER.get("notification"), h)),
                Clients.notification(h -> notificationOps.replayDeadLetterWithHttpInfo(DEAD_LETTER.get("notification"), h)),
                Clients.notification(h -> notificationOps.discardDeadLetterWithHttpInfo(DEAD_LETTER.get("notification"),
                        new dev.shop.client.notification.model.DiscardRequest().reason("table"), h)),
                Clients.notification(h -> notificationOps.replayAllDeadLettersWithHttpInfo(h)));
        // order-svc's correctness report and live ops views (no Prometheus is configured for the e2e order-svc: 503).
        //                                                          none exp  sig  iss  aud  self other oper admin
        rows.add(row("order", "getCorrectnessReport", STAFF,    s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.order(h -> orderOps.getCorrectnessReportWithHttpInfo(10, h))));
        rows.add(row("order", "runCorrectnessCheck", ADMIN,     s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.order(h -> orderOps.runCorrectnessCheckWithHttpInfo(h))));
        rows.add(row("order", "listOpsCharts", STAFF,           s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.order(h -> orderOps.listOpsChartsWithHttpInfo(h))));
        rows.add(row("order", "getOpsChart", STAFF,             s(401, 401, 401, 401, 401, 403, 403, 503, 503),
                Clients.order(h -> orderOps.getOpsChartWithHttpInfo("orders-rate", 15, h))));
        rows.add(row("order", "listOpsAlerts", STAFF,           s(401, 401, 401, 401, 401, 403, 403, 503, 503),
                Clients.order(h -> orderOps.listOpsAlertsWithHttpInfo(h))));
        var since = java.time.OffsetDateTime.now().minusSeconds(1);
        rows.add(row("order", "listLoggedEvents", STAFF,        s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.order(h -> orderOps.listLoggedEventsWithHttpInfo(10, id, h))));
        rows.add(row("order", "republishLoggedEvents", ADMIN,   s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.order(h -> orderOps.republishLoggedEventsWithHttpInfo(new dev.shop.client.order.model.RepublishRequest().since(since), h))));
        rows.add(row("inventory", "listLoggedEvents", STAFF,    s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.inventory(h -> inventoryOps.listLoggedEventsWithHttpInfo(10, id, h))));
        rows.add(row("inventory", "republishLoggedEvents", ADMIN, s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.inventory(h -> inventoryOps.republishLoggedEventsWithHttpInfo(new dev.shop.client.inventory.model.RepublishRequest().since(since), h))));
        rows.add(row("inventory", "correctnessInvariants", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.inventory(h -> inventoryOps.correctnessInvariantsWithHttpInfo(h))));
        rows.add(row("inventory", "correctnessOrderFacts", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.inventory(h -> inventoryOps.correctnessOrderFactsWithHttpInfo(new dev.shop.client.inventory.model.OrdersRequest().orderIds(List.of(id)), h))));
        rows.add(row("billing", "listLoggedEvents", STAFF,      s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.billing(h -> billingOps.listLoggedEventsWithHttpInfo(10, id, h))));
        rows.add(row("billing", "republishLoggedEvents", ADMIN, s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.billing(h -> billingOps.republishLoggedEventsWithHttpInfo(new dev.shop.client.billing.model.RepublishRequest().since(since), h))));
        rows.add(row("billing", "correctnessInvariants", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.billing(h -> billingOps.correctnessInvariantsWithHttpInfo(h))));
        rows.add(row("billing", "correctnessOrderFacts", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.billing(h -> billingOps.correctnessOrderFactsWithHttpInfo(new dev.shop.client.billing.model.OrdersRequest().orderIds(List.of(id)), h))));
        rows.add(row("notification", "listLoggedEvents", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.notification(h -> notificationOps.listLoggedEventsWithHttpInfo(10, id, h))));
        rows.add(row("notification", "republishLoggedEvents", ADMIN, s(401, 401, 401, 401, 401, 403, 403, 403, 200),
                Clients.notification(h -> notificationOps.republishLoggedEventsWithHttpInfo(new dev.shop.client.notification.model.RepublishRequest().since(since), h))));
        rows.add(row("notification", "correctnessInvariants", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.notification(h -> notificationOps.correctnessInvariantsWithHttpInfo(h))));
        rows.add(row("notification", "correctnessOrderFacts", STAFF, s(401, 401, 401, 401, 401, 403, 403, 200, 200),
                Clients.notification(h -> notificationOps.correctnessOrderFactsWithHttpInfo(new dev.shop.client.notification.model.OrdersRequest().orderIds(List.of(id)), h))));
        return rows;
    }

    /** What an operator action on dead letters writes: resolutions and their audit trail (new PENDING ones may be parked any time). */
    private static final String DEAD_LETTERS_RESOLVED =
            "select count(*) filter (where status <> 'PENDING') || ':' || (select count(*) from dead_letter_audit) from dead_letter";

    /** Every service's /admin/dead-letters operations (eventing's DeadLetterResource), the same rules everywhere. */
    private static void deadLetterRows(List<Row> rows, String svc, Call list, Call get, Call replay, Call discard, Call replayAll) {
        //                                                                none exp  sig  iss  aud  self other oper admin
        rows.add(row(svc, "listDeadLetters", STAFF,                      s(401, 401, 401, 401, 401, 403, 403, 200, 200), list));
        rows.add(row(svc, "getDeadLetter", STAFF,                        s(401, 401, 401, 401, 401, 403, 403, 200, 200), get));
        rows.add(row(svc, "replayDeadLetter", ADMIN,                     s(401, 401, 401, 401, 401, 403, 403, 403, 409), replay)
                .guard(svc, DEAD_LETTERS_RESOLVED));
        rows.add(row(svc, "discardDeadLetter", ADMIN,                    s(401, 401, 401, 401, 401, 403, 403, 403, 409), discard)
                .guard(svc, DEAD_LETTERS_RESOLVED));
        rows.add(row(svc, "replayAllDeadLetters", ADMIN,                 s(401, 401, 401, 401, 401, 403, 403, 403, 200), replayAll)
                .guard(svc, DEAD_LETTERS_RESOLVED));
    }

    @Test
    void everyOperationAnswersEveryCallerExactlyAsTheTableSays() throws Exception {
        List<Row> rows = table();
        List<String> failures = new ArrayList<>();
        Map<String, JsonNode> documents = new LinkedHashMap<>();
        for (String svc : ShopSystem.PORTS.keySet()) {
            documents.put(svc, document(svc));
        }
        checkTableCoversTheDocuments(rows, documents, failures);
        StringBuilder matrix = new StringBuilder(String.format("%-13s %-22s %s%n", "service", "operation",
                java.util.Arrays.stream(Caller.values()).map(c -> abbreviate(c.name(), 8)).collect(Collectors.joining(" "))));
        int cells = 0;
        for (Row row : rows) {
            JsonNode op = operation(documents.get(row.service), row.operationId);
            StringBuilder line = new StringBuilder(String.format("%-13s %-22s", row.service, row.operationId));
            for (Caller caller : Caller.values()) {
                int expected = row.expected.get(caller);
                String label = row.service + " " + row.operationId + " as " + caller;
                String before = row.guardSql == null ? null : sql(row.guardService, row.guardSql);
                Outcome out = row.call.send(HEADERS.get(caller));
                cells++;
                line.append(String.format(" %8s", out.status() == expected ? String.valueOf(out.status()) : out.status() + "≠" + expected));
                if (out.status() != expected) {
                    failures.add(label + ": expected " + expected + ", got " + out);
                    continue;
                }
                if (op != null && !op.path("responses").has(String.valueOf(expected))) {
                    failures.add(label + ": answered " + expected + ", which the OpenAPI document does not declare");
                }
                if (expected >= 400) {
                    checkRefusal(label, expected, out, failures);
                    if (before != null) {
                        String after = sql(row.guardService, row.guardSql);
                        if (!before.equals(after)) {
                            failures.add(label + ": refused with " + expected + " but wrote: " + before + " -> " + after);
                        }
                    }
                } else if (row.check != null && !row.check.apply(caller, out)) {
                    failures.add(label + ": " + expected + " as expected, but the body is not what this caller may see: " + out);
                }
            }
            matrix.append(line).append('\n');
        }
        System.out.println("authorization table (" + rows.size() + " operations x " + Caller.values().length + " callers = " + cells + " calls):\n" + matrix);
        assertTrue(cells >= rows.size() * Caller.values().length);
        assertTrue(failures.isEmpty(), failures.size() + " authorization failures:\n" + String.join("\n", failures));
    }

    /** No operation without a row, no row without an operation; roles and statuses agree with the document. */
    private static void checkTableCoversTheDocuments(List<Row> rows, Map<String, JsonNode> documents, List<String> failures) {
        Set<String> inTable = new LinkedHashSet<>();
        for (Row row : rows) {
            if (!inTable.add(row.service + " " + row.operationId)) {
                failures.add("two rows for " + row.service + " " + row.operationId);
            }
        }
        Set<String> inDocuments = new TreeSet<>();
        documents.forEach((svc, doc) -> doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(op.getKey())) {
                return;
            }
            String id = op.getValue().path("operationId").asText("");
            if (id.isEmpty()) {
                failures.add(svc + " " + op.getKey().toUpperCase() + " " + path.getKey() + " has no operationId");
                return;
            }
            inDocuments.add(svc + " " + id);
            if (!inTable.contains(svc + " " + id)) {
                failures.add(svc + " " + op.getKey().toUpperCase() + " " + path.getKey() + " (" + id
                        + ") is in the OpenAPI document but has no row in the authorization table: add one");
            }
        })));
        for (String key : inTable) {
            if (!inDocuments.contains(key)) {
                failures.add(key + " has a row in the table but is in no OpenAPI document: remove or rename the row");
            }
        }
        for (Row row : rows) {
            JsonNode op = operation(documents.get(row.service), row.operationId);
            if (op == null) {
                continue;
            }
            Set<String> documented = new TreeSet<>();
            JsonNode security = op.path("security");
            security.forEach(requirement -> requirement.fields().forEachRemaining(scheme -> scheme.getValue().forEach(role -> documented.add(role.asText()))));
            if (row.roles.isEmpty() ? !(security.isArray() && security.isEmpty()) : !documented.equals(new TreeSet<>(row.roles))) {
                failures.add(row.service + " " + row.operationId + ": the document's security requirement " + security
                        + " does not say what the table does (" + (row.roles.isEmpty() ? "public: security: []" : "roles " + new TreeSet<>(row.roles)) + ")");
            }
            for (Caller caller : Caller.values()) {
                String role = switch (caller) {
                    case CUSTOMER_SELF, CUSTOMER_OTHER -> "customer";
                    case OPERATOR -> "operator";
                    case ADMIN -> "admin";
                    default -> null;
                };
                int expected = row.expected.get(caller);
                boolean protectedOp = !row.roles.isEmpty();
                if (role == null && protectedOp && expected != 401) {
                    failures.add(row.service + " " + row.operationId + ": the table lets " + caller + " through a protected operation");
                }
                if (role != null && protectedOp && !row.roles.contains(role) && expected != 403) {
                    failures.add(row.service + " " + row.operationId + ": the table lets role " + role + " through; the row's roles are " + row.roles);
                }
            }
        }
    }

    private static void checkRefusal(String label, int status, Outcome out, List<String> failures) {
        String body = out.body() == null ? "" : out.body();
        if (!out.header("Content-Type").orElse("").startsWith("application/problem+json")) {
            failures.add(label + ": " + status + " is not application/problem+json: " + out.headers());
        }
        try {
            JsonNode problem = JSON.readTree(body);
            if (problem.path("status").asInt() != status || problem.path("title").asText().isEmpty()) {
                failures.add(label + ": the problem document does not say " + status + ": " + body);
            }
        } catch (IOException e) {
            failures.add(label + ": the body is not JSON: " + body);
        }
        if (LEAK.matcher(body).find()) {
            failures.add(label + ": the body shows internals: " + body);
        }
        if (status == 401 && !out.header("WWW-Authenticate").orElse("").startsWith("Bearer")) {
            failures.add(label + ": 401 without WWW-Authenticate: Bearer: " + out.headers());
        }
    }

    /** The document the running service serves (the one clients are told to build from). */
    private static JsonNode document(String svc) throws IOException, InterruptedException {
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ShopSystem.url(svc) + "/q/openapi?format=json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(res.statusCode() == 200, svc + " /q/openapi answered " + res.statusCode());
        return JSON.readTree(res.body());
    }

    private static JsonNode operation(JsonNode doc, String operationId) {
        for (Iterator<JsonNode> paths = doc.path("paths").elements(); paths.hasNext(); ) {
            for (Iterator<JsonNode> ops = paths.next().elements(); ops.hasNext(); ) {
                JsonNode op = ops.next();
                if (operationId.equals(op.path("operationId").asText())) {
                    return op;
                }
            }
        }
        return null;
    }

    private static String sql(String svc, String query) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("psql", "-h", System.getenv().getOrDefault("PGHOST", "127.0.0.1"), "-U",
                System.getenv().getOrDefault("PG_SUPERUSER", "postgres"), "-d", "shop_" + svc + "_" + ShopSystem.ENV, "-v", "ON_ERROR_STOP=1",
                "-tAc", query).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql failed: " + out + "\n" + query);
        }
        return out;
    }

    private static Map<Caller, Integer> s(int... statuses) {
        Caller[] callers = Caller.values();
        if (statuses.length != callers.length) {
            throw new IllegalArgumentException("a row needs one status per caller (" + callers.length + ")");
        }
        Map<Caller, Integer> map = new EnumMap<>(Caller.class);
        for (int i = 0; i < callers.length; i++) {
            map.put(callers[i], statuses[i]);
        }
        return map;
    }

    private static Row row(String service, String operationId, Set<String> roles, Map<Caller, Integer> expected, Call call) {
        return new Row(service, operationId, roles, expected, call);
    }

    /** One operation's row: who may call it, what each caller gets, what a refusal must leave unchanged. */
    private static final class Row {
        final String service;
        final String operationId;
        final Set<String> roles;
        final Map<Caller, Integer> expected;
        final Call call;
        String guardService;
        String guardSql;
        BiFunction<Caller, Outcome, Boolean> check;

        Row(String service, String operationId, Set<String> roles, Map<Caller, Integer> expected, Call call) {
            this.service = service;
            this.operationId = operationId;
            this.roles = roles;
            this.expected = expected;
            this.call = call;
        }

        /** A query over what this operation writes (in {@code svc}'s database); equal before and after every refusal. */
        Row guard(String svc, String sql) {
            this.guardService = svc;
            this.guardSql = sql;
            return this;
        }

        /** What a successful answer must show to this caller (ownership: customers see only their own). */
        Row check(BiFunction<Caller, Outcome, Boolean> check) {
            this.check = check;
            return this;
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    @FunctionalInterface
    interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T quietly(Probe<T> probe) {
        try {
            return probe.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
