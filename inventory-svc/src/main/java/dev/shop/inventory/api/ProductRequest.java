package dev.shop.inventory.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.math.BigDecimal;

@RegisterForReflection
public record ProductRequest(
        @NotBlank @Size(max = 200)
        @jakarta.validation.constraints.Pattern(regexp = "[^\\p{Cntrl}]*", message = "must not contain control characters") String name,
        @NotNull @DecimalMin("0.00") @Digits(integer = 10, fraction = 2, message = "must be a decimal with at most 2 places") BigDecimal price,
        @NotNull @Min(0) @Max(1_000_000_000) Integer available) {
}
