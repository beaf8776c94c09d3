package dev.healthgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IptablesWordsTest {

    @Test
    @DisplayName("splits a rule as iptables -S prints it, with the quoted comment as one word")
    void splitsQuotedComment() {
        assertThat(IptablesWords.split("-A OUTPUT -p tcp -m tcp --dport 9001 -m comment --comment "
                + "\"healthgate:web1:main\" -j REDIRECT --to-ports 8001"))
                .containsExactly("-A", "OUTPUT", "-p", "tcp", "-m", "tcp", "--dport", "9001", "-m", "comment",
                        "--comment", "healthgate:web1:main", "-j", "REDIRECT", "--to-ports", "8001");
    }

    @Test
    @DisplayName("keeps spaces inside quotes")
    void keepsSpacesInQuotes() {
        assertThat(IptablesWords.split("-A X --comment \"a b\"")).containsExactly("-A", "X", "--comment", "a b");
    }
}
