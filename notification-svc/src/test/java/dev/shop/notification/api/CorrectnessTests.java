package dev.shop.notification.api;

import dev.shop.eventing.testing.BrokerClient;
import dev.shop.eventing.testing.Eventually;
import dev.shop.eventing.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The correctness endpoints against the real database and broker: notification counts for known orders only. */
@QuarkusTest
class CorrectnessTests {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ORDERS = "/api/v1/admin/correctness/orders";
    private static final String INVARIANTS = "/api/v1/admin/correctness/invariants";

    private final BrokerClient broker = new BrokerClient("shop-test-notification");

    @Inject
    Pool pool;

    private String finish(String type, String id) {
        broker.publish(BrokerClient.cloudEvent(type, id, "order.confirmed".equals(type)
                ? Map.of("orderId", id, "customerId", "alice", "total", 10.0)
                : Map.of("orderId", id, "customerId", "alice", "reason", "TIMEOUT")));
        return id;
    }

    private JsonPath facts(String... orderIds) {
        return given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", List.of(orderIds)))
                .when().post(ORDERS).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void factsCountNotificationsPerTypeForKnownOrdersAndLeaveUnknownOnesOut() {
        String confirmed = finish("order.confirmed", UUID.randomUUID().toString());
        finish("order.confirmed", confirmed); // a redelivery is not a second notification
        String cancelled = finish("order.cancelled", UUID.randomUUID().toString());
        String unknown = UUID.randomUUID().toString();

        JsonPath body = Eventually.await(WAIT, () -> facts(confirmed, cancelled, unknown, confirmed),
                j -> j.getList("orders").size() == 2, "both finished orders notified");

        assertEquals("notification-svc", body.getString("service"));
        assertEquals(List.of(Map.of("type", "ORDER_CONFIRMED", "count", 1)),
                body.getList("orders.find { it.orderId == '" + confirmed + "' }.notifications"));
        assertEquals(List.of(Map.of("type", "ORDER_CANCELLED", "count", 1)),
                body.getList("orders.find { it.orderId == '" + cancelled + "' }.notifications"));
        assertEquals(List.of(confirmed, cancelled).stream().sorted().toList(), body.getList("orders.orderId", String.class).stream().sorted().toList());
    }

    @Test
    void aNotificationDeletedBehindTheServicesBackIsNoLongerReported() {
        String id = finish("order.cancelled", UUID.randomUUID().toString());
        Eventually.await(WAIT, () -> facts(id), j -> j.getList("orders").size() == 1, "notified");
        pool.preparedQuery("delete from notification where order_id = $1").execute(Tuple.of(UUID.fromString(id))).await().indefinitely();
        assertEquals(List.of(), facts(id).getList("orders"));
    }

    @Test
    void badOrderIdsAre400Problems() {
        for (String body : List.of("{}", "{\"orderIds\":[]}", "{\"orderIds\":\"x\"}", "[]")) {
            given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(body).when().post(ORDERS)
                    .then().statusCode(400).contentType("application/problem+json");
        }
        List<String> tooMany = IntStream.range(0, 501).mapToObj(i -> UUID.randomUUID().toString()).toList();
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", tooMany)).when().post(ORDERS)
                .then().statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("orderIds"));
        given().auth().oauth2(Tokens.operator()).contentType(ContentType.JSON).body(Map.of("orderIds", List.of(UUID.randomUUID().toString(), "x")))
                .when().post(ORDERS).then().statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("orderIds[1]"));
    }

    @Test
    void onlyOperatorsAndAdminsMayAsk() {
        String body = "{\"orderIds\":[\"" + UUID.randomUUID() + "\"]}";
        given().contentType(ContentType.JSON).body(body).when().post(ORDERS)
                .then().statusCode(401).header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
        given().get(INVARIANTS).then().statusCode(401);
        given().auth().oauth2(Tokens.customer("c1")).contentType(ContentType.JSON).body(body).when().post(ORDERS)
                .then().statusCode(403).contentType("application/problem+json");
        given().auth().oauth2(Tokens.customer("c1")).get(INVARIANTS).then().statusCode(403);
        given().auth().oauth2(Tokens.admin()).contentType(ContentType.JSON).body(body).when().post(ORDERS).then().statusCode(200);
    }

    @Test
    void thereAreNoInvariantsOfItsOwn() {
        given().auth().oauth2(Tokens.operator()).get(INVARIANTS).then().statusCode(200)
                .body("service", equalTo("notification-svc")).body("subjectsChecked", equalTo(0))
                .body("violations", equalTo(List.of())).body("checkedAt", org.hamcrest.Matchers.notNullValue());
    }
}
