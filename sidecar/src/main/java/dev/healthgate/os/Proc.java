package dev.healthgate.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What {@code /proc} says about one process. Blocking (it reads files): call it from a worker. */
public final class Proc {

    private static final Path PROC = Path.of("/proc");

    private Proc() {
    }

    /** Whether the process is a zombie (exited, not yet reaped by its parent). */
    public static boolean isZombie(long pid) {
        return state(pid).map(s -> s == 'Z' || s == 'X').orElse(false);
    }

    /**
     * The one-letter state of {@code /proc/PID/stat} (R, S, D, Z, ...). The command name in that line
     * may hold spaces and parentheses, so the state is read after the last {@code ')'}.
     */
    static Optional<Character> state(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            return parseState(stat);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Character> parseState(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 >= stat.length()) {
            return Optional.empty();
        }
        return Optional.of(stat.charAt(close + 2));
    }

    /** The real uid owning the process (the owner of {@code /proc/PID}), if it can be read. */
    public static Optional<Integer> ownerUid(long pid) {
        try {
            Object uid = Files.getAttribute(PROC.resolve(Long.toString(pid)), "unix:uid");
            return Optional.of(((Number) uid).intValue());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }
}
