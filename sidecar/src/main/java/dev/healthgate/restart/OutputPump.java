package dev.healthgate.restart;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;

/**
 * Copies a supervised app's stdout or stderr into healthgate's log, one line per log entry prefixed with
 * the app's name, and keeps the last lines for error messages ("exited with code 1; last output: ...").
 * Lines are cut at {@value #MAX_LINE} bytes so a runaway app cannot exhaust memory. Runs on its own
 * daemon thread until the stream ends.
 */
final class OutputPump implements Runnable {

    static final int MAX_LINE = 4096;

    private final InputStream in;
    private final Logger log;
    private final String prefix;
    private final Tail tail;

    OutputPump(InputStream in, Logger log, String prefix, Tail tail) {
        this.in = in;
        this.log = log;
        this.prefix = prefix;
        this.tail = tail;
    }

    static Thread start(InputStream in, Logger log, String prefix, Tail tail, String threadName) {
        Thread t = new Thread(new OutputPump(new BufferedInputStream(in), log, prefix, tail), threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void run() {
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        boolean cut = false;
        try (in) {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    emit(line, length, cut);
                    length = 0;
                    cut = false;
                } else if (length < MAX_LINE) {
                    line[length++] = (byte) b;
                } else {
                    cut = true;
                }
            }
            if (length > 0) {
                emit(line, length, cut);
            }
        } catch (IOException e) {
            // the process is gone and its pipe closed: nothing more to copy
        }
    }

    private void emit(byte[] bytes, int length, boolean cut) {
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8).stripTrailing();
        if (cut) {
            text += " [line cut at " + MAX_LINE + " bytes]";
        }
        log.info("{}{}", prefix, text);
        tail.add(text);
    }

    /** The last few lines an app printed, on either stream. Thread-safe. */
    static final class Tail {
        private static final int LINES = 5;
        private static final int LINE_CHARS = 300;
        private final Deque<String> lines = new ArrayDeque<>();

        synchronized void add(String line) {
            if (line.isBlank()) {
                return;
            }
            lines.addLast(line.length() > LINE_CHARS ? line.substring(0, LINE_CHARS) + "..." : line);
            while (lines.size() > LINES) {
                lines.removeFirst();
            }
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }

        /** {@code "; last output: a | b"}, or nothing when the app printed nothing. */
        String describe() {
            List<String> last = lines();
            return last.isEmpty() ? "" : "; last output: " + String.join(" | ", last);
        }
    }
}
