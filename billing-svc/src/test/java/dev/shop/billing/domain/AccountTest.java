package dev.shop.billing.domain;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AccountTest {

    @Test
    void theFirstCreditIsGrantedAndEveryChangeAdjustsWhatWasGranted() {
        Account a = new Account();
        a.grant(new BigDecimal("100.00"));
        assertEquals(new BigDecimal("100.00"), a.granted);
        a.credit = a.credit.subtract(new BigDecimal("30.00")); // an authorisation takes credit, not grants
        a.grant(new BigDecimal("50.00"));                      // an admin sets 70.00 -> 50.00
        assertEquals(new BigDecimal("80.00"), a.granted);
        assertEquals(new BigDecimal("50.00"), a.credit);
        a.grant(new BigDecimal("150.00"));
        assertEquals(new BigDecimal("180.00"), a.granted);
    }
}
