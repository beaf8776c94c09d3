package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.os.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code healthgate run --name web1 --port 8001 --status-port 9001 -- CMD}: one app without a file. */
class CommandLineAppTest {

    private static CommandLineApp app(Integer port, String stopSignal, List<String> command) {
        return new CommandLineApp("web1", port, 9001, null, null, null, null, null, command, null,
                Map.of("RAILS_ENV", "production"), null, stopSignal, null, null, null, null, null, null);
    }

    @Test
    @DisplayName("stands for a supervised app behind the port gate, with the documented defaults")
    void defaults() {
        HealthgateConfig config = app(8001, null, List.of("bundle", "exec", "puma", "-p", "8001")).load();
        AppConfig web1 = config.apps().get(0);
        assertThat(web1.gate()).isEqualTo(GateKind.PORT);
        assertThat(web1.port()).isEqualTo(8001);
        assertThat(web1.statusPort()).isEqualTo(9001);
        assertThat(web1.backupStatusPort()).as("status-port + 100").isEqualTo(9101);
        assertThat(web1.ready().isHttp()).as("ready by TCP connect").isFalse();
        assertThat(web1.restart().supervise().command()).containsExactly("bundle", "exec", "puma", "-p", "8001");
        assertThat(web1.restart().supervise().env()).containsEntry("RAILS_ENV", "production");
        assertThat(web1.restart().supervise().stopSignal()).isEqualTo(Signal.TERM);
        assertThat(web1.restart().supervise().stopTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.control().url()).isEqualTo("http://127.0.0.1:9901");
        assertThat(config.haproxy().inter()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    @DisplayName("prints as a healthgate.yml that loads to the same config")
    void printsAsAFile() {
        CommandLineApp app = app(8001, "INT", List.of("./app", "--port", "8001"));
        assertThat(ConfigLoader.parse(app.toYaml())).isEqualTo(app.load());
    }

    @Test
    @DisplayName("errors name the command-line option, not the key path")
    void errorsNameTheOption() {
        assertThatThrownBy(() -> app(70000, null, List.of("./app")).load())
                .hasMessage("--port = 70000: must be a port number 1-65535");
        assertThatThrownBy(() -> app(8001, "FOO", List.of("./app")).load())
                .hasMessageStartingWith("--stop-signal = FOO: unknown signal (known: HUP, INT,");
        assertThatThrownBy(() -> app(8001, null, List.of()).load())
                .hasMessageStartingWith("the app's command is required after --");
        assertThatThrownBy(() -> app(null, null, List.of("./app")).load())
                .hasMessage("--port: is required");
    }
}
