package dev.shop.notification.callback;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * Receivers verify {@code X-Shop-Signature: sha256=<hex>} = HMAC-SHA256(secret, timestamp + "." + body)
 * and reject stale {@code X-Shop-Timestamp}s, which stops replayed or forged callbacks.
 */
public final class CallbackSigner {

    public static final String SIGNATURE = "X-Shop-Signature";
    public static final String TIMESTAMP = "X-Shop-Timestamp";
    public static final String DELIVERY_ID = "X-Shop-Delivery-Id";

    private CallbackSigner() {
    }

    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
