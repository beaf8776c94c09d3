package dev.healthgate.gate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.healthgate.config.SourceAddresses;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@DisplayName("Admitting connections to a status port")
class CheckGuardTest {

    @Test
    @DisplayName("a source outside haproxy.sources is never admitted and takes no slot")
    void foreignSourcesAreRefused() {
        CheckGuard guard = new CheckGuard("web1 status port 9001",
                SourceAddresses.parse("haproxy.sources", List.of("10.0.0.0/24")));
        assertThat(guard.admit("10.0.0.7")).isTrue();
        assertThat(guard.admit("10.0.1.7")).isFalse();
        assertThat(guard.open()).isEqualTo(1);
    }

    @Test
    @DisplayName("one address holds at most MAX_PER_SOURCE slots, so another still gets in; a closed connection gives its slot back")
    void perSourceLimitLeavesRoomForOthers() {
        CheckGuard guard = new CheckGuard("web1 status port 9001", SourceAddresses.ANY);
        for (int i = 0; i < CheckGuard.MAX_PER_SOURCE; i++) {
            assertThat(guard.admit("203.0.113.9")).as("connection %d", i).isTrue();
        }
        assertThat(guard.admit("203.0.113.9")).as("one more from the same address").isFalse();
        assertThat(guard.admit("10.0.0.2")).as("HAProxy from its own address").isTrue();
        guard.release("203.0.113.9");
        assertThat(guard.admit("203.0.113.9")).as("after one closed").isTrue();
    }

    @Test
    @DisplayName("at most MAX_CONNECTIONS at once in all")
    void totalLimit() {
        CheckGuard guard = new CheckGuard("web1 status port 9001", SourceAddresses.ANY);
        int admitted = 0;
        for (int i = 0; i < CheckGuard.MAX_CONNECTIONS + 10; i++) {
            if (guard.admit("10.1." + (i / 250) + "." + (i % 250))) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(CheckGuard.MAX_CONNECTIONS);
    }

    @Test
    @DisplayName("a repeated warning is logged once per interval, counting the ones held back")
    void warningsAreRateLimited() {
        RateLimitedWarning warning = new RateLimitedWarning(LoggerFactory.getLogger(CheckGuardTest.class), 1,
                TimeUnit.MINUTES);
        long t = 0;
        warning.warn(t, "first");
        warning.warn(t + 1, "held");
        warning.warn(t + TimeUnit.SECONDS.toNanos(59), "held");
        assertThat(warning.held()).isEqualTo(2);
        warning.warn(t + TimeUnit.MINUTES.toNanos(1), "next, with the count");
        assertThat(warning.held()).isZero();
    }
}
