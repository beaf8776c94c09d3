package dev.healthgate.it;

import java.time.Duration;
import java.util.List;

/** What a finished command did: its exit code, what it printed, and how long it took. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr, Duration took) {

    /** stdout followed by stderr: what a user sees in a terminal. */
    public String output() {
        return stdout + stderr;
    }

    /** A description for assertion messages: the command, its exit code and its output. */
    public String describe() {
        return String.join(" ", command) + "\n  exit code " + exitCode + " after " + took.toMillis()
                + " ms\n  stdout:\n" + indent(stdout) + "\n  stderr:\n" + indent(stderr);
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String indent(String text) {
        return text.isBlank() ? "    (nothing)" : text.strip().indent(4).stripTrailing();
    }
}
