package dev.shop.eventing.http;

/**
 * The one shape of the ids a client names in a path, query or body (customer ids, SKUs): letters,
 * digits, '.', '_' and '-'. Constants, so bean-validation annotations can use them.
 */
public final class Identifiers {

    public static final String PATTERN = "^[A-Za-z0-9._-]+$";
    public static final String MESSAGE = "must contain only letters, digits, '.', '_' or '-'";

    private Identifiers() {
    }
}
