package dev.healthgate.os;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A pid file as Unicorn, Puma and most daemons write it: a decimal pid and an optional newline.
 * Blocking (it reads a file).
 */
public final class PidFile {

    private static final Pattern PID = Pattern.compile("\\s*([0-9]{1,10})\\s*");
    private static final int MAX_BYTES = 64;

    private final Path path;

    public PidFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /**
     * The pid the file holds now; empty when the file is missing, empty or not (yet) a pid, as while a
     * daemon is writing it.
     */
    public OptionalLong read() {
        try {
            byte[] head = Files.readAllBytes(path);
            return parse(new String(head, 0, Math.min(head.length, MAX_BYTES), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** Parses the text of a pid file; empty unless it is exactly one positive pid. */
    static OptionalLong parse(String text) {
        var m = PID.matcher(text);
        if (!m.matches()) {
            return OptionalLong.empty();
        }
        long pid = Long.parseLong(m.group(1));
        return pid > 0 && pid <= Integer.MAX_VALUE ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Describes what the file holds, for error messages: {@code holds 1234}, {@code does not exist}. */
    public String describe() {
        if (!Files.exists(path)) {
            return path + " does not exist";
        }
        OptionalLong pid = read();
        return pid.isPresent() ? path + " holds " + pid.getAsLong() : path + " does not hold a pid";
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
