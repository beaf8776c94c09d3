package dev.healthgate.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.config.ConfigLoader;
import dev.healthgate.config.HealthgateConfig;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Which X-Haproxy-Server-State headers speak for an app's line")
class StateHeaderCheckTest {

    private static final HealthgateConfig CONFIG = ConfigLoader.parse("""
            haproxy: { backend: shop }
            apps:
              - { name: web1, port: 8001, status-port: 9001, backup-status-port: 9101, gate: port,
                  ready: { http: /health }, restart: { exec: ["true"] } }
            """);

    private static StateHeaderCheck check(Line line) {
        return new StateHeaderCheck(CONFIG.apps().get(0), CONFIG.haproxy(), line);
    }

    @Test
    @DisplayName("the main line's checks name haproxy.backend/app, the backup line's backend/app-bkp")
    void namesFromTheRenderedConfig() {
        assertThat(check(Line.MAIN).expectedName()).isEqualTo("shop/web1");
        assertThat(check(Line.BACKUP).expectedName()).isEqualTo("shop/web1-bkp");
        assertThat(check(Line.MAIN).accept("NOLB; name=shop/web1; node=lb1; scur=0/3").node()).isEqualTo("lb1");
        assertThat(check(Line.BACKUP).accept("UP 2/2; name=shop/web1-bkp; node=lb2").status()).isEqualTo("UP");
    }

    @Test
    @DisplayName("another server, another backend, or the other line's name is refused with the name expected")
    void otherNamesAreRefused() {
        assertThatThrownBy(() -> check(Line.MAIN).accept("NOLB; name=shop/web2; node=lb1; scur=0"))
                .hasMessageStartingWith("name=shop/web2 is not this port's server line (expected name=shop/web1;");
        assertThatThrownBy(() -> check(Line.MAIN).accept("NOLB; name=app/web1; node=lb1; scur=0"))
                .hasMessageStartingWith("name=app/web1 is not");
        assertThatThrownBy(() -> check(Line.MAIN).accept("DOWN; name=shop/web1-bkp; node=lb1"))
                .as("the backup line's state must not end the main line's drain")
                .hasMessageStartingWith("name=shop/web1-bkp is not");
    }

    @Test
    @DisplayName("a malformed header or an implausible node name is refused")
    void malformedIsRefused() {
        assertThatThrownBy(() -> check(Line.MAIN).accept("GONE; name=shop/web1"))
                .hasMessageStartingWith("unknown server state 'GONE'");
        assertThatThrownBy(() -> check(Line.MAIN).accept("NOLB; node=lb1"))
                .hasMessageStartingWith("no name=backend/server");
        assertThatThrownBy(() -> check(Line.MAIN).accept("NOLB; name=shop/web1; node=" + "x".repeat(65)))
                .hasMessage("node= is not a HAProxy node name");
        assertThatThrownBy(() -> check(Line.MAIN).accept("NOLB; name=shop/web1; node=lb 1<script>"))
                .hasMessage("node= is not a HAProxy node name");
    }
}
