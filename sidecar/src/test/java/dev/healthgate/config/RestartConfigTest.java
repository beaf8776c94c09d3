package dev.healthgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.os.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The {@code restart:} mapping: exec, signal and supervise, and the errors an operator sees. */
class RestartConfigTest {

    private static String app(String restart) {
        return """
                apps:
                  - name: web1
                    port: 8001
                    status-port: 9001
                    backup-status-port: 9101
                    restart: %s
                """.formatted(restart);
    }

    private static RestartSpec restart(String restart) {
        return ConfigLoader.parse(app(restart)).apps().get(0).restart();
    }

    @Test
    @DisplayName("exec keeps working as before")
    void execAsBefore() {
        RestartSpec spec = restart("{ exec: [systemctl, restart, web1], timeout: 2m }");
        assertThat(spec.kind()).isEqualTo(RestartSpec.Kind.EXEC);
        assertThat(spec.exec()).containsExactly("systemctl", "restart", "web1");
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(spec.signal()).isNull();
        assertThat(spec.supervise()).isNull();
    }

    @Test
    @DisplayName("signal, Unicorn style: a new pid, then QUIT to the old one")
    void signalForUnicorn() {
        RestartSpec spec = restart("{ signal: { pidfile: /run/unicorn.pid, signal: USR2, new-pid: true, then-old: QUIT },"
                + " keeps-port-open: true }");
        assertThat(spec.kind()).isEqualTo(RestartSpec.Kind.SIGNAL);
        assertThat(spec.exec()).isEmpty();
        assertThat(spec.signal()).isEqualTo(new SignalSpec(Path.of("/run/unicorn.pid"), Signal.USR2, true, Signal.QUIT));
        assertThat(spec.keepsPortOpen()).isTrue();
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("signal, Puma style: the pid stays, and SIG-prefixed names are read too")
    void signalForPuma() {
        RestartSpec spec = restart("{ signal: { pidfile: /run/puma.pid, signal: SIGUSR1, new-pid: false } }");
        assertThat(spec.signal()).isEqualTo(new SignalSpec(Path.of("/run/puma.pid"), Signal.USR1, false, null));
    }

    @Test
    @DisplayName("signal, Gunicorn style: the new master's pid in new-pidfile until the old one is gone")
    void signalForGunicorn() {
        RestartSpec spec = restart("{ signal: { pidfile: /run/gunicorn.pid, signal: USR2, new-pidfile: /run/gunicorn.pid.2,"
                + " then-old: TERM }, keeps-port-open: true }");
        assertThat(spec.signal()).isEqualTo(new SignalSpec(Path.of("/run/gunicorn.pid"), Signal.USR2, true, Signal.TERM,
                Path.of("/run/gunicorn.pid.2")));
        assertThat(spec.signal().handOverPidfile()).isEqualTo(Path.of("/run/gunicorn.pid.2"));
    }

    @Test
    @DisplayName("supervise with every key, and its defaults")
    void supervise() {
        RestartSpec spec = restart("{ supervise: { command: [bundle, exec, puma, -p, 8001], dir: /srv/app,"
                + " env: { RAILS_ENV: production, WORKERS: 2 }, user: app, stop-signal: INT, stop-timeout: 10s } }");
        assertThat(spec.kind()).isEqualTo(RestartSpec.Kind.SUPERVISE);
        assertThat(spec.supervise()).isEqualTo(new SuperviseSpec(java.util.List.of("bundle", "exec", "puma", "-p", "8001"),
                Path.of("/srv/app"), Map.of("RAILS_ENV", "production", "WORKERS", "2"), "app", Signal.INT,
                Duration.ofSeconds(10)));

        SuperviseSpec defaults = restart("{ supervise: { command: [./app] } }").supervise();
        assertThat(defaults.dir()).isNull();
        assertThat(defaults.env()).isEmpty();
        assertThat(defaults.user()).isNull();
        assertThat(defaults.stopSignal()).isEqualTo(Signal.TERM);
        assertThat(defaults.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Nested
    @DisplayName("refuses, naming the key and value,")
    class Refuses {

        @Test
        void anUnknownSignal() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/u.pid, signal: FOO } }"))
                    .hasMessage("apps[0].restart.signal.signal = FOO: unknown signal (known: HUP, INT, QUIT, USR1, USR2,"
                            + " TERM, KILL, CONT, STOP, TSTP, TTIN, TTOU, WINCH)");
        }

        @Test
        void aSignalThatCannotBeCaught() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/u.pid, signal: KILL } }"))
                    .hasMessageStartingWith("apps[0].restart.signal.signal = KILL: cannot be caught");
        }

        @Test
        void aMissingSignal() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/u.pid } }"))
                    .hasMessageStartingWith("apps[0].restart.signal.signal: is required");
        }

        @Test
        void aRelativePidFile() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: tmp/u.pid, signal: USR2 } }"))
                    .hasMessage("apps[0].restart.signal.pidfile = tmp/u.pid: must be an absolute path");
        }

        @Test
        void thenOldWithoutANewPid() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/p.pid, signal: USR1, new-pid: false, then-old: QUIT } }"))
                    .hasMessageStartingWith("apps[0].restart.signal.then-old = QUIT: needs new-pid: true");
        }

        @Test
        void newPidfileWithoutANewPid() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/p.pid, signal: USR1, new-pid: false, new-pidfile: /run/p.pid.2 } }"))
                    .hasMessageStartingWith("apps[0].restart.signal.new-pidfile = /run/p.pid.2: needs new-pid: true");
        }

        @Test
        void newPidfileThatIsThePidFile() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/p.pid, signal: USR2, new-pidfile: /run/p.pid } }"))
                    .hasMessageStartingWith("apps[0].restart.signal.new-pidfile = /run/p.pid: is the pid file itself");
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/p.pid, signal: USR2, new-pidfile: run/p.pid.2 } }"))
                    .hasMessage("apps[0].restart.signal.new-pidfile = run/p.pid.2: must be an absolute path");
        }

        @Test
        void anUnknownKeyInSignal() {
            assertThatThrownBy(() -> restart("{ signal: { pidfile: /run/p.pid, signal: USR1, pid-file: /x } }"))
                    .hasMessage("apps[0].restart.signal.pid-file: unknown key");
        }

        @Test
        void twoStrategies() {
            assertThatThrownBy(() -> restart("{ exec: [true], supervise: { command: [./app] } }"))
                    .hasMessage("apps[0].restart.supervise: give only one of exec, signal and supervise"
                            + " (also apps[0].restart.exec)");
        }

        @Test
        void noStrategy() {
            assertThatThrownBy(() -> restart("{ timeout: 5s }"))
                    .hasMessageStartingWith("apps[0].restart.exec: is required: give one of exec");
        }

        @Test
        void aSupervisedAppThatWouldKeepItsPortOpen() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app] }, keeps-port-open: true }"))
                    .hasMessage("apps[0].restart.keeps-port-open = true: supervise stops the old process before it"
                            + " starts the new one, so the port closes (unless supervise.hold-socket: true keeps it open)");
        }

        @Test
        void aHeldSocketNeedsAnHttpReadyCheck() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app], hold-socket: true }, keeps-port-open: true }"))
                    .hasMessage("apps[0].ready: needs http: with restart.supervise.hold-socket (a held socket accepts"
                            + " TCP connections before the app serves)");
            RestartSpec spec = ConfigLoader.parse(app("{ supervise: { command: [./app], hold-socket: true },"
                    + " keeps-port-open: true }\n    ready: { http: /health }")).apps().get(0).restart();
            assertThat(spec.supervise().holdSocket()).isTrue();
            assertThat(spec.keepsPortOpen()).isTrue();
        }

        @Test
        void aSupervisedCommandGivenAsAString() {
            assertThatThrownBy(() -> restart("{ supervise: { command: bundle exec puma } }"))
                    .hasMessage("apps[0].restart.supervise.command = bundle exec puma: must be a non-empty list of arguments");
        }

        @Test
        void anEnvironmentNameThatIsNotOne() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app], env: { 1X: y } } }"))
                    .hasMessageStartingWith("apps[0].restart.supervise.env.1X: not a variable name");
        }

        @Test
        void anEnvironmentGivenAsAList() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app], env: [A=1] } }"))
                    .hasMessage("apps[0].restart.supervise.env = [A=1]: must be a mapping of NAME: value");
        }

        @Test
        void aUserThatIsNotAName() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app], user: \"a b\" } }"))
                    .hasMessage("apps[0].restart.supervise.user = a b: must be a user name or a numeric uid");
        }

        @Test
        void anUnknownStopSignal() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app], stop-signal: TERMINATE } }"))
                    .hasMessageStartingWith("apps[0].restart.supervise.stop-signal = TERMINATE: unknown signal");
        }

        @Test
        void aRelativeDirectory() {
            assertThatThrownBy(() -> restart("{ supervise: { command: [./app], dir: srv/app } }"))
                    .hasMessage("apps[0].restart.supervise.dir = srv/app: must be an absolute path");
        }
    }
}
