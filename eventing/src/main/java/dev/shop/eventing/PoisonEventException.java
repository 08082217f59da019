package dev.shop.eventing;

/**
 * A message that can never be processed as it is (undecodable, schema-invalid, or rejected by a
 * handler as permanently invalid). It is dead-lettered at once instead of being retried.
 */
public class PoisonEventException extends RuntimeException {
    public PoisonEventException(String reason) {
        super(reason, null, false, false);
    }
}
