package dev.healthgate.gate;

import dev.healthgate.config.AppConfig;
import dev.healthgate.config.HaproxyTiming;
import dev.healthgate.observe.ServerState;
import java.util.regex.Pattern;

/**
 * Decides whether an {@code X-Haproxy-Server-State} header on a status port speaks for this app's server
 * line: it must parse, name {@code backend/server} exactly as the rendered HAProxy config does
 * ({@code haproxy.backend} and {@link AppConfig#serverName}), and carry a plausible node name. Anything
 * else would let a stray or forged check end a drain early, or invent a node that drains wait on.
 */
final class StateHeaderCheck {

    /** HAProxy node names are host names or {@code node} values: no spaces, no separators, bounded. */
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9_.:-]{0,64}");

    private final String expectedName;

    StateHeaderCheck(AppConfig app, HaproxyTiming timing, Line line) {
        this.expectedName = timing.backend() + "/" + app.serverName(line == Line.BACKUP);
    }

    /** The {@code name=} this port's checks must carry. */
    String expectedName() {
        return expectedName;
    }

    /** The header's state if it speaks for this line; else IllegalArgumentException saying why not. */
    ServerState accept(String header) {
        ServerState s = ServerState.parse(header);
        String name = s.backend() + "/" + s.server();
        if (!name.equals(expectedName)) {
            throw new IllegalArgumentException("name=" + name + " is not this port's server line (expected name="
                    + expectedName + "; haproxy.backend and the server names come from `healthgate haproxy-config`)");
        }
        if (!NODE.matcher(s.node()).matches()) {
            throw new IllegalArgumentException("node= is not a HAProxy node name");
        }
        return s;
    }
}
