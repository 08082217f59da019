package dev.shop.order.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

@RegisterForReflection
@Schema(description = "One page of orders, newest first")
public record OrderPage(List<OrderView> items,
                        @Schema(description = "Pass as ?cursor= for the next page; absent on the last page", nullable = true)
                        String nextCursor) {
}
