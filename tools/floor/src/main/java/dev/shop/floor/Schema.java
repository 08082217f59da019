package dev.shop.floor;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * The floor's database: one schema per service role, holding the tables that role writes per order,
 * with the services' own column types, keys and indexes (copied from their Flyway migrations and
 * shop-eventing's outbox/inbox), so every row and index entry is the size it is in shop. Left out on
 * purpose: the outbox's NOTIFY trigger (the floor publishes right after its commit and needs no
 * wake-up) and tables no order writes.
 */
final class Schema {

    static final List<String> ROLES = List.of("order_svc", "inventory_svc", "billing_svc", "notification_svc");

    private static final String EVENTING = """
            create table outbox (
                seq          bigserial primary key,
                event_id     uuid         not null unique,
                type         varchar(100) not null,
                subject      varchar(100) not null,
                payload      text         not null,
                created_at   timestamptz  not null default now(),
                traceparent  varchar(55),
                published_at timestamptz
            );
            create index outbox_unpublished on outbox (seq) where published_at is null;
            create index outbox_published_at on outbox (published_at) where published_at is not null;
            create index outbox_subject on outbox (subject);
            create table inbox (
                event_id     uuid primary key,
                type         varchar(100) not null,
                processed_at timestamptz  not null default now()
            );
            create index inbox_processed_at on inbox (processed_at);
            """;

    private static final Map<String, String> OWN = Map.of(
            "order_svc", """
                    create table orders (
                        id                  uuid primary key,
                        customer_id         varchar(64)  not null,
                        total               numeric(12, 2),
                        status              varchar(16)  not null,
                        cancellation_reason varchar(32),
                        idempotency_key     varchar(200),
                        request_hash        varchar(64),
                        callback_url        varchar(2048),
                        created_at          timestamptz  not null,
                        updated_at          timestamptz  not null,
                        version             bigint       not null default 0,
                        constraint orders_customer_idempotency_key unique (customer_id, idempotency_key)
                    );
                    create index orders_pending_created on orders (created_at) where status = 'PENDING';
                    create index orders_customer_created on orders (customer_id, created_at desc, id desc);
                    create index orders_created on orders (created_at desc, id desc);
                    create index orders_updated on orders (updated_at, id);
                    create table order_line (
                        order_id   uuid        not null references orders (id),
                        line_no    int         not null,
                        sku        varchar(64) not null,
                        quantity   int         not null,
                        unit_price numeric(12, 2),
                        primary key (order_id, line_no)
                    );
                    create table journey_step (
                        event_id    uuid         primary key,
                        order_id    uuid         not null,
                        type        varchar(100) not null,
                        service     varchar(100) not null,
                        occurred_at timestamptz  not null,
                        outcome     varchar(300) not null,
                        trace_id    varchar(32),
                        received_at timestamptz
                    );
                    create index journey_step_order on journey_step (order_id, occurred_at);
                    """,
            "inventory_svc", """
                    create table product (
                        sku       varchar(64)    primary key,
                        name      varchar(200)   not null,
                        price     numeric(12, 2) not null check (price >= 0),
                        available int            not null check (available >= 0),
                        reserved  int            not null default 0 check (reserved >= 0),
                        version   bigint         not null default 0,
                        stocked   bigint         not null default 0,
                        sold      bigint         not null default 0
                    );
                    create table reservation (
                        order_id      uuid        primary key,
                        status        varchar(16) not null,
                        reject_reason varchar(32),
                        updated_at    timestamptz not null,
                        version       bigint      not null default 0
                    );
                    create index reservation_held on reservation (order_id) where status = 'HELD';
                    create table reservation_line (
                        order_id   uuid           not null references reservation (order_id),
                        line_no    int            not null,
                        sku        varchar(64)    not null,
                        quantity   int            not null,
                        unit_price numeric(12, 2) not null,
                        primary key (order_id, line_no)
                    );
                    """,
            "billing_svc", """
                    create table account (
                        customer_id varchar(64)    primary key,
                        credit      numeric(12, 2) not null check (credit >= 0),
                        version     bigint         not null default 0,
                        granted     numeric(16, 2) not null default 0
                    );
                    create table payment (
                        order_id       uuid           primary key,
                        customer_id    varchar(64)    not null,
                        amount         numeric(12, 2) not null,
                        status         varchar(16)    not null,
                        decline_reason varchar(32),
                        updated_at     timestamptz    not null,
                        version        bigint         not null default 0
                    );
                    """,
            "notification_svc", """
                    create table notification (
                        id          uuid        primary key,
                        order_id    uuid        not null unique,
                        customer_id varchar(64) not null,
                        type        varchar(32) not null,
                        created_at  timestamptz not null
                    );
                    create index notification_customer on notification (customer_id, created_at desc);
                    """);

    private Schema() {
    }

    /** Drops and creates {@code database} with every role's schema; seeds products and accounts. */
    static void create(String serverUrl, String user, String database, List<String> skus, List<String> customers) throws SQLException {
        drop(serverUrl, user, database);
        try (Connection c = DriverManager.getConnection(serverUrl + "/postgres", user, null); Statement s = c.createStatement()) {
            s.execute("create database \"" + database + "\"");
        }
        try (Connection c = DriverManager.getConnection(serverUrl + "/" + database, user, null); Statement s = c.createStatement()) {
            for (String role : ROLES) {
                s.execute("create schema " + role);
                s.execute("set search_path = " + role);
                s.execute(EVENTING);
                s.execute(OWN.get(role));
            }
            s.execute("set search_path = inventory_svc");
            for (String sku : skus) {
                s.execute("insert into product (sku, name, price, available, stocked) values ('" + sku + "', 'bench', 1.00, 100000000, 100000000)");
            }
            s.execute("set search_path = billing_svc");
            for (String customer : customers) {
                s.execute("insert into account (customer_id, credit, granted) values ('" + customer + "', 99999999.00, 99999999.00)");
            }
        }
    }

    static void drop(String serverUrl, String user, String database) throws SQLException {
        try (Connection c = DriverManager.getConnection(serverUrl + "/postgres", user, null); Statement s = c.createStatement()) {
            s.execute("drop database if exists \"" + database + "\" with (force)");
        }
    }
}
