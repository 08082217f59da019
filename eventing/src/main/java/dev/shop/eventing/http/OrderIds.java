package dev.shop.eventing.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** The order ids of a correctness request, checked one by one so a 400 names the offending element. */
public final class OrderIds {

    private static final Pattern UUID_TEXT = Pattern.compile(Identifiers.UUID_PATTERN);

    private OrderIds() {
    }

    /**
     * @return the distinct ids in request order
     * @throws ProblemException 400 naming {@code orderIds[i]} for the first element that is not a canonical UUID
     */
    public static Set<UUID> parse(List<String> orderIds) {
        Set<UUID> ids = new LinkedHashSet<>();
        for (int i = 0; i < orderIds.size(); i++) {
            String id = orderIds.get(i);
            if (id == null || !UUID_TEXT.matcher(id).matches()) {
                throw ProblemException.invalidField("orderIds[" + i + "]", Identifiers.UUID_MESSAGE);
            }
            ids.add(UUID.fromString(id));
        }
        return ids;
    }
}
