package dev.shop.eventing.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;

import java.util.Optional;

/**
 * Who is calling, as the verified bearer token says. Resources use it to put ownership into the
 * query: a customer sees only rows whose customer id is its token's subject; operators and admins
 * see everything. Only call it from endpoints that require authentication (the role check has
 * then already resolved the identity, so nothing blocks).
 */
@RequestScoped
public class Caller {

    private final SecurityIdentity identity;

    public Caller(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The token's subject ({@code sub}, falling back to {@code upn}/{@code preferred_username} per MP-JWT). */
    public String subject() {
        return identity.getPrincipal().getName();
    }

    public boolean has(String role) {
        return identity.hasRole(role);
    }

    /** Operators and admins read any customer's data. */
    public boolean isStaff() {
        return identity.hasRole(Roles.OPERATOR) || identity.hasRole(Roles.ADMIN);
    }

    /**
     * The customer whose data this caller may read: empty for staff (no restriction), the subject
     * for everyone else. Pass it into the query; never filter afterwards.
     */
    public Optional<String> ownerScope() {
        return isStaff() ? Optional.empty() : Optional.of(subject());
    }
}
