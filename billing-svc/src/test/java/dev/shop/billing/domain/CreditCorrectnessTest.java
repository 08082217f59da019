package dev.shop.billing.domain;

import dev.shop.billing.domain.CreditCorrectness.AccountCounts;
import dev.shop.billing.domain.CreditCorrectness.Violation;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CreditCorrectnessTest {

    private static BigDecimal d(String v) {
        return new BigDecimal(v);
    }

    @Test
    void conservedCreditBreaksNothingWhateverTheScale() {
        assertEquals(Optional.empty(), CreditCorrectness.violation(new AccountCounts("c", d("70.00"), d("100.00"), d("30.00"))));
        assertEquals(Optional.empty(), CreditCorrectness.violation(new AccountCounts("c", d("100.00"), d("100.00"), d("0"))));
    }

    @Test
    void creditNotMatchingGrantedMinusAuthorizedIsReportedWithTheNumbers() {
        assertEquals(Optional.of(new Violation("credit_conserved", "c", "granted 100.00 - authorized 30.00 = 70.00, credit 60.00")),
                CreditCorrectness.violation(new AccountCounts("c", d("60.00"), d("100.00"), d("30.00"))));
        assertEquals(Optional.of(new Violation("credit_conserved", "c", "granted 100.00 - authorized 0.00 = 100.00, credit 100.01")),
                CreditCorrectness.violation(new AccountCounts("c", d("100.01"), d("100.00"), d("0"))));
    }

    @Test
    void authorizedPaymentsWithoutAnAccountAreReported() {
        assertEquals(Optional.of(new Violation("credit_conserved", "ghost", "authorized 12.50, but there is no account")),
                CreditCorrectness.violation(new AccountCounts("ghost", null, null, d("12.50"))));
    }
}
