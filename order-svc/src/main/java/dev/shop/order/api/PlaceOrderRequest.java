package dev.shop.order.api;

import dev.shop.eventing.http.Identifiers;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

@RegisterForReflection
@Schema(description = "An order to place. Prices come from inventory's catalogue, not from the client.")
public record PlaceOrderRequest(
        @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN, message = Identifiers.MESSAGE)
        @Schema(examples = "alice", description = "Optional: the order is always the caller's (the token's subject); if given it must be that id")
        String customerId,

        @NotNull @Size(min = 1, max = 100, message = "must have between 1 and 100 lines")
        List<@NotNull @Valid Line> items,

        @Size(max = 2048)
        @Schema(description = "Optional URL that receives the final result (see notification-svc)")
        String callbackUrl) {

    @RegisterForReflection
    public record Line(
            @NotBlank @Size(max = 64) @Pattern(regexp = Identifiers.PATTERN, message = Identifiers.MESSAGE)
            @Schema(examples = "BOOK-1")
            String sku,

            @NotNull @Min(1) @Max(1000)
            Integer quantity) {
    }
}
