package dev.shop.chaos;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Bearer tokens as {@code ./shop token} mints them (scripts/token.py): RS256 with the local key in
 * {@code .secrets/jwt/private.pem}, issuer and audience the services trust. Cached per subject/roles.
 */
public final class Tokens {

    private final PrivateKey key;
    private final String issuer;
    private final String audience;
    private final Map<String, String> cache = new ConcurrentHashMap<>();

    public Tokens(Path privateKeyPem, String issuer, String audience) throws Exception {
        String pem = Files.readString(privateKeyPem);
        if (!pem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalStateException(privateKeyPem + " is not a PKCS#8 PEM key (expected the one ./shop infra creates)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        this.issuer = issuer;
        this.audience = audience;
    }

    public String customer(String subject) {
        return cache.computeIfAbsent("c:" + subject, k -> mint(subject, List.of("customer"), Duration.ofHours(12)));
    }

    public String operator() {
        return cache.computeIfAbsent("operator", k -> mint("chaos-operator", List.of("operator"), Duration.ofHours(12)));
    }

    public String admin() {
        return cache.computeIfAbsent("admin", k -> mint("chaos-admin", List.of("admin", "operator"), Duration.ofHours(12)));
    }

    public String mint(String subject, List<String> roles, Duration ttl) {
        long now = Instant.now().getEpochSecond();
        String groups = roles.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(","));
        String claims = "{\"iss\":\"" + issuer + "\",\"aud\":\"" + audience + "\",\"sub\":\"" + subject + "\",\"upn\":\"" + subject
                + "\",\"groups\":[" + groups + "],\"iat\":" + now + ",\"exp\":" + (now + ttl.toSeconds()) + "}";
        String signingInput = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(claims);
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
