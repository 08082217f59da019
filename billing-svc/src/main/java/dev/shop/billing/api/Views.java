package dev.shop.billing.api;

import dev.shop.billing.domain.Account;
import dev.shop.billing.domain.Payment;
import dev.shop.billing.domain.PaymentStatus;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.util.UUID;

public final class Views {

    private Views() {
    }

    @RegisterForReflection
    public record AccountView(String customerId, BigDecimal credit) {
        public static AccountView of(Account a) {
            return new AccountView(a.customerId, a.credit);
        }
    }

    @RegisterForReflection
    public record PaymentView(UUID orderId, String customerId, BigDecimal amount, PaymentStatus status, String declineReason) {
        public static PaymentView of(Payment p) {
            return new PaymentView(p.orderId, p.customerId, p.amount, p.status, p.declineReason);
        }
    }
}
