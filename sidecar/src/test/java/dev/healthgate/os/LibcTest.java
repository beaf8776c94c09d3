package dev.healthgate.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The jnr-ffi binding against real processes. */
class LibcTest {

    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    @DisplayName("a signal reaches a live process, which is then no longer alive")
    void signalsALiveProcess() throws Exception {
        child = new ProcessBuilder("sleep", "30").start();
        assertThat(Libc.isAlive(child.pid())).isTrue();

        Libc.kill(child.pid(), Signal.TERM);

        assertThat(child.waitFor(5, TimeUnit.SECONDS)).as("sleep exited after TERM").isTrue();
        assertThat(child.exitValue()).as("128 + TERM").isEqualTo(128 + 15);
        assertThat(Libc.isAlive(child.pid())).isFalse();
    }

    @Test
    @DisplayName("signalling a pid that is gone says so")
    void noSuchProcess() throws Exception {
        child = new ProcessBuilder("true").start();
        child.waitFor(5, TimeUnit.SECONDS);
        long gone = child.pid();
        assertThatThrownBy(() -> Libc.kill(gone, Signal.USR2))
                .isInstanceOfSatisfying(SignalException.class,
                        e -> assertThat(e.kind()).isEqualTo(SignalException.Kind.NO_SUCH_PROCESS))
                .hasMessage("cannot send USR2 to pid " + gone + ": no such process");
    }

    @Test
    @DisplayName("init, groups and everything are never signalled")
    void refusesSpecialPids() {
        for (long pid : new long[] {-1, 0, 1}) {
            assertThatThrownBy(() -> Libc.kill(pid, Signal.TERM))
                    .isInstanceOfSatisfying(SignalException.class,
                            e -> assertThat(e.kind()).isEqualTo(SignalException.Kind.REFUSED));
        }
        assertThat(Libc.isAlive(0)).isFalse();
        assertThat(Libc.isAlive(-1)).isFalse();
    }

    @Test
    @DisplayName("the effective uid and pid are this JVM's")
    void knowsWhoWeAre() throws Exception {
        Process id = new ProcessBuilder("id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes()).strip();
        assertThat(Libc.effectiveUid()).isEqualTo(Integer.parseInt(uid));
        assertThat(Libc.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(Proc.ownerUid(Libc.pid())).contains(Integer.parseInt(uid));
    }

    @Test
    @DisplayName("the state in /proc/PID/stat is read after the command name, whatever it holds")
    void readsTheState() {
        assertThat(Proc.parseState("123 (a) b) c) Z 1 2 3")).contains('Z');
        assertThat(Proc.parseState("123 (sleep) S 1")).contains('S');
        assertThat(Proc.parseState("garbage")).isEmpty();
    }
}
