package dev.healthgate.exec;

/** What a finished program printed and its exit code. */
public record CommandResult(int exitCode, String stdout, String stderr) {
}
