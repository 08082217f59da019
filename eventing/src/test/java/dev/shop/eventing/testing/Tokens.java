package dev.shop.eventing.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Signed bearer tokens for tests, minted like {@code ./shop token} does: RS256 with the local key pair
 * in {@code .secrets/jwt/} (created by {@code ./shop infra|up|test}), the issuer and audience the
 * services trust by default. The odd ones (expired, foreign key, wrong issuer or audience) exist so
 * tests can prove the services refuse them.
 */
public final class Tokens {

    public static final String ISSUER = System.getProperty("shop.jwt.issuer", "https://auth.shop.local");
    public static final String AUDIENCE = System.getProperty("shop.jwt.audience", "shop");

    private static PrivateKey key;
    private static PrivateKey foreignKey;

    private Tokens() {
    }

    /** A customer token for {@code subject}; reused for 10 minutes (load generators call this per request). */
    public static String customer(String subject) {
        return cached("customer:" + subject, () -> token(subject, Set.of("customer")));
    }

    public static String operator() {
        return cached("operator", () -> token("operator-1", Set.of("operator")));
    }

    public static String admin() {
        return cached("admin", () -> token("admin-1", Set.of("admin", "operator")));
    }

    private record Minted(String token, Instant at) {
    }

    private static final java.util.concurrent.ConcurrentHashMap<String, Minted> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    private static String cached(String key, java.util.function.Supplier<String> mint) {
        Instant now = Instant.now();
        return CACHE.compute(key, (k, m) -> m != null && m.at().isAfter(now.minus(Duration.ofMinutes(10))) ? m : new Minted(mint.get(), now)).token();
    }

    public static String token(String subject, Set<String> roles) {
        return claims(subject, roles, Instant.now(), Duration.ofMinutes(30)).sign(key());
    }

    public static String expired(String subject, Set<String> roles) {
        return claims(subject, roles, Instant.now().minus(Duration.ofHours(2)), Duration.ofMinutes(30)).sign(key());
    }

    /** A well-formed token signed by a key the services have never seen. */
    public static String foreignSignature(String subject, Set<String> roles) {
        return claims(subject, roles, Instant.now(), Duration.ofMinutes(30)).sign(foreignKey());
    }

    public static String wrongIssuer(String subject, Set<String> roles) {
        return claims(subject, roles, Instant.now(), Duration.ofMinutes(30)).issuer("https://evil.example").sign(key());
    }

    public static String wrongAudience(String subject, Set<String> roles) {
        return claims(subject, roles, Instant.now(), Duration.ofMinutes(30)).audience("someone-else").sign(key());
    }

    /** "Bearer &lt;token&gt;" */
    public static String bearer(String token) {
        return "Bearer " + token;
    }

    private static JwtClaimsBuilder claims(String subject, Set<String> roles, Instant issuedAt, Duration ttl) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).upn(subject).groups(roles)
                .issuedAt(issuedAt).expiresAt(issuedAt.plus(ttl));
    }

    private static synchronized PrivateKey key() {
        if (key == null) {
            Path pem = secretsDir().resolve("jwt/private.pem");
            try {
                key = KeyUtils.decodePrivateKey(Files.readString(pem));
            } catch (IOException e) {
                throw new UncheckedIOException(pem + " is missing: run ./shop infra (it creates the local signing key)", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot read " + pem, e);
            }
        }
        return key;
    }

    private static synchronized PrivateKey foreignKey() {
        if (foreignKey == null) {
            try {
                KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
                gen.initialize(2048);
                foreignKey = gen.generateKeyPair().getPrivate();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return foreignKey;
    }

    /** The repository's {@code .secrets/}: from -Dshop.root, or the nearest parent of the working directory holding one. */
    static Path secretsDir() {
        String root = System.getProperty("shop.root");
        if (root != null) {
            return Path.of(root).toAbsolutePath().normalize().resolve(".secrets");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(".secrets"))) {
                return dir.resolve(".secrets");
            }
        }
        throw new IllegalStateException("no .secrets/ above " + Path.of("").toAbsolutePath() + ": run ./shop infra first");
    }
}
