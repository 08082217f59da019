package dev.shop.billing.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotNull;

import java.math.BigDecimal;

@RegisterForReflection
public record AccountRequest(
        @NotNull @DecimalMin("0.00") @Digits(integer = 10, fraction = 2, message = "must be a decimal with at most 2 places") BigDecimal credit) {
}
