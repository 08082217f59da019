package dev.shop.eventing.http;

/**
 * The one shape of the ids a client names in a path, query or body (customer ids, SKUs): letters,
 * digits, '.', '_' and '-'. Constants, so bean-validation annotations can use them.
 */
public final class Identifiers {

    public static final String PATTERN = "^[A-Za-z0-9._-]+$";
    public static final String MESSAGE = "must contain only letters, digits, '.', '_' or '-'";

    /** Order ids (and other server-made ids) are UUIDs in their canonical text form. */
    public static final String UUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
    public static final String UUID_MESSAGE = "must be a UUID such as 0b6f4a2e-9c1d-4a57-8e3b-2f6d7c8e9a10";

    private Identifiers() {
    }
}
