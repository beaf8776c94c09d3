package dev.healthgate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServerStateTest {

    @Test
    @DisplayName("parses HAProxy 2.6's header with address, port, node and session counts")
    void parsesTheHeader() {
        ServerState s = ServerState.parse(
                "UP 1/2; address=127.0.0.1; port=8001; name=app/web1; node=lb1; weight=1/2; scur=3/9; qcur=0");
        assertThat(s).isEqualTo(new ServerState("UP", 1, 2, "app", "web1", "lb1", 3, 0));
    }

    @Test
    @DisplayName("parses settled states without counts, and NOLB")
    void parsesSettledStates() {
        assertThat(ServerState.parse("DOWN; name=app/web1-bkp; node=lb2; weight=0/2; scur=0/0; qcur=0"))
                .isEqualTo(new ServerState("DOWN", -1, -1, "app", "web1-bkp", "lb2", 0, 0));
        assertThat(ServerState.parse("NOLB; name=app/web1; node=lb1; weight=0/1; scur=2/2; qcur=0").isOut()).isTrue();
    }

    @Test
    @DisplayName("a failed check on a line one failure from fall takes it DOWN; earlier ones do not")
    void failureThatReachesFall() {
        assertThat(ServerState.parse("UP 1/2; name=a/b; node=n").downAfter(true, 2)).isTrue();
        assertThat(ServerState.parse("UP; name=a/b; node=n").downAfter(true, 2)).as("settled UP, fall 2").isFalse();
        assertThat(ServerState.parse("UP; name=a/b; node=n").downAfter(true, 1)).as("settled UP, fall 1").isTrue();
        assertThat(ServerState.parse("UP 1/2; name=a/b; node=n").downAfter(false, 2)).as("a good answer").isFalse();
    }

    @Test
    @DisplayName("a good check on a DOWN line reaching rise brings it UP; a 2xx lifts NOLB at once")
    void goodAnswerReachingRise() {
        assertThat(ServerState.parse("DOWN 1/2; name=a/b; node=n").inAfter(2)).isTrue();
        assertThat(ServerState.parse("DOWN; name=a/b; node=n").inAfter(2)).isFalse();
        assertThat(ServerState.parse("DOWN; name=a/b; node=n").inAfter(1)).isTrue();
        assertThat(ServerState.parse("NOLB; name=a/b; node=n").inAfter(2)).isTrue();
    }

    @Test
    @DisplayName("refuses a header it cannot read, naming it")
    void refusesGarbage() {
        assertThatThrownBy(() -> ServerState.parse("MAYBE; name=a/b"))
                .hasMessage("unknown server state 'MAYBE'");
        assertThatThrownBy(() -> ServerState.parse("UP; node=x")).hasMessageContaining("no name=backend/server");
    }
}
