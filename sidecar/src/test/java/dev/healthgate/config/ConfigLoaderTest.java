package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

public class ConfigLoaderTest {

    public static final String VALID = """
            control:
              listen: 127.0.0.1:9901
            haproxy:
              inter: 500ms
              fall: 2
              rise: 3
            apps:
              - name: web1
                host: 10.0.0.5
                port: 8001
                status-port: 9001
                backup-status-port: 9101
                gate: nat
                ready: { http: /health, expect: 200, timeout: 30s }
                restart: { exec: ["systemctl", "restart", "web1"], keeps-port-open: false }
                sticky-grace: 5s
                drain-timeout: 30s
              - name: web2
                port: 8002
                status-port: 9002
                backup-status-port: 9102
                ready: { tcp: true }
                restart: { exec: ["systemctl", "restart", "web2"], keeps-port-open: true, timeout: 2m }
            """;

    @Test
    @DisplayName("the documented example loads with its values and defaults")
    void loadsTheDocumentedExample() {
        HealthgateConfig c = ConfigLoader.parse(VALID);
        assertThat(c.control().url()).isEqualTo("http://127.0.0.1:9901");
        assertThat(c.haproxy().outAfter()).as("fall x inter + inter").isEqualTo(Duration.ofMillis(1500));
        assertThat(c.haproxy().inAfter()).as("rise x inter + inter").isEqualTo(Duration.ofMillis(2000));
        assertThat(c.haproxy().fastinter()).as("fastinter defaults to inter / 5").isEqualTo(Duration.ofMillis(100));
        assertThat(c.haproxy().downinter()).as("downinter defaults to inter / 5").isEqualTo(Duration.ofMillis(100));
        AppConfig web1 = c.app("web1").orElseThrow();
        assertThat(web1.restart().exec()).containsExactly("systemctl", "restart", "web1");
        assertThat(web1.ready().isHttp()).isTrue();
        AppConfig web2 = c.app("web2").orElseThrow();
        assertThat(web2.host()).as("default host").isEqualTo("127.0.0.1");
        assertThat(web2.ready().isHttp()).isFalse();
        assertThat(web2.restart().keepsPortOpen()).isTrue();
        assertThat(web2.restart().timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(web2.stickyGrace()).as("default sticky-grace").isEqualTo(Duration.ofSeconds(5));
        assertThat(web2.restoreOnStart()).as("default restore-on-start").isTrue();
    }

    @Test
    @DisplayName("state-dir is an absolute directory; a relative one is refused naming the key and the value")
    void stateDirMustBeAbsolute() {
        assertThat(ConfigLoader.parse("state-dir: /srv/hg/state\n" + VALID).stateDir())
                .isEqualTo(Path.of("/srv/hg/state"));
        assertThat(ConfigLoader.parse(VALID).stateDir()).as("a default when unset").isAbsolute();
        assertThatThrownBy(() -> ConfigLoader.parse("state-dir: var/lib/healthgate\n" + VALID))
                .isInstanceOf(ConfigException.class)
                .hasMessage("state-dir = var/lib/healthgate: must be an absolute directory, e.g. /var/lib/healthgate");
    }

    @Nested
    @DisplayName("refuses, naming the key and the value,")
    class Refuses {

        @Test
        void anUnknownKey() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("sticky-grace: 5s", "stiky-grace: 5s")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("apps[0].stiky-grace: unknown key");
        }

        @Test
        void anUnknownTopLevelKey() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID + "extra: 1\n"))
                    .hasMessage("extra: unknown key");
        }

        @Test
        void aPortOutOfRange() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("port: 8002", "port: 70000")))
                    .hasMessage("apps[1].port = 70000: must be a port number 1-65535");
        }

        @Test
        void aPortThatIsNotANumber() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("status-port: 9002", "status-port: http")))
                    .hasMessage("apps[1].status-port = http: must be a port number 1-65535");
        }

        @Test
        void aDuplicateAppName() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("name: web2", "name: web1")))
                    .hasMessage("apps[1].name = web1: duplicate app name (also apps[0].name)");
        }

        @Test
        void aDuplicatePortOnTheSameHost() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("status-port: 9002", "status-port: 8002")))
                    .hasMessage("apps[1].status-port = 8002: duplicate port on 127.0.0.1 (also apps[1].port)");
        }

        @Test
        void anUnknownGate() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("gate: nat", "gate: socket")))
                    .hasMessageStartingWith("apps[0].gate = socket: unknown gate");
        }

        @Test
        void aDurationWithoutUnit() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("inter: 500ms", "inter: 500")))
                    .hasMessage("haproxy.inter = 500: not a duration (use e.g. 500ms, 2s, 1m)");
        }

        @Test
        void aFastinterLongerThanInter() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("inter: 500ms", "inter: 500ms\n  fastinter: 2s")))
                    .hasMessage("haproxy.fastinter = 2s: must not be longer than haproxy.inter (500ms): "
                            + "healthgate's timed waits count in inters");
        }

        @Test
        void aRestartCommandGivenAsAString() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("exec: [\"systemctl\", \"restart\", \"web2\"]",
                    "exec: systemctl restart web2")))
                    .hasMessage("apps[1].restart.exec = systemctl restart web2: must be a non-empty list of arguments");
        }

        @Test
        void bothHttpAndTcpReadiness() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("{ tcp: true }", "{ tcp: true, http: /h }")))
                    .hasMessage("apps[1].ready.tcp: choose either http or tcp, not both");
        }

        @Test
        void aControlListenBeyondLoopbackWithoutToken() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("listen: 127.0.0.1:9901", "listen: 0.0.0.0:9901")))
                    .hasMessage("control.listen = 0.0.0.0:9901: listening beyond loopback requires control.token");
        }

        @Test
        void anAppNameThatIsNotAName() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("name: web2", "name: \"web 2\"")))
                    .hasMessageStartingWith("apps[1].name = web 2: must be 1-40 letters");
        }

        @Test
        void namedNodesWithAnAgentGate() {
            String agent = VALID.replace("  rise: 3\n", "  rise: 3\n  nodes: [lb1, lb2]\n")
                    .replace("    backup-status-port: 9102\n", "    gate: agent\n");
            assertThatThrownBy(() -> ConfigLoader.parse(agent))
                    .hasMessageStartingWith("haproxy.nodes = [lb1, lb2]: agent checks carry no node name");
        }

        @Test
        void aMissingFile() {
            assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/healthgate.yml")))
                    .hasMessage("config file not found: /nonexistent/healthgate.yml");
        }

        @Test
        void noApps() {
            assertThatThrownBy(() -> ConfigLoader.parse("control: {}\n"))
                    .hasMessage("apps: is required: list at least one app");
        }

        @Test
        void aKeyGivenTwice() {
            assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("  fall: 2\n", "  fall: 2\n  fall: 3\n")))
                    .hasMessageContaining("fall");
        }
    }
}
