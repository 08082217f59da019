package dev.shop.eventing.security;

/**
 * The roles a bearer token carries in its {@code groups} claim. Roles are not hierarchical in the
 * token: an endpoint lists every role it admits (an admin token is usually also an operator token,
 * but nothing relies on that).
 */
public final class Roles {

    /** Places orders for itself and reads its own orders, payments and notifications. */
    public static final String CUSTOMER = "customer";
    /** Reads anything (orders, journeys, dead letters, the ops page); changes nothing. */
    public static final String OPERATOR = "operator";
    /** What an operator can, plus product and account writes and dead-letter replay/discard (audited). */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
