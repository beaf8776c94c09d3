package dev.healthgate.os;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The POSIX signals healthgate sends, with their Linux numbers (x86 and ARM; healthgate is a Linux
 * sidecar). Looked up strictly: an unknown name is an error, never a default.
 */
public enum Signal {
    HUP(1),
    INT(2),
    QUIT(3),
    USR1(10),
    USR2(12),
    TERM(15),
    /** Cannot be caught: only for the last step of a stop. */
    KILL(9),
    CONT(18),
    /** Cannot be caught. */
    STOP(19),
    TSTP(20),
    TTIN(21),
    TTOU(22),
    WINCH(28);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** The signal's number on Linux, as {@code kill(2)} takes it. */
    public int number() {
        return number;
    }

    /** Whether a process can handle this signal (KILL and STOP it cannot). */
    public boolean catchable() {
        return this != KILL && this != STOP;
    }

    /** Strict lookup by name, with or without {@code SIG}, in any case: {@code USR2}, {@code SIGUSR2}. */
    public static Signal fromName(String name) {
        String key = name.trim().toUpperCase(Locale.ROOT);
        if (key.startsWith("SIG")) {
            key = key.substring(3);
        }
        for (Signal s : values()) {
            if (s.name().equals(key)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown signal (known: " + known() + ")");
    }

    /** The signal whose Linux number is {@code number}, for describing how a process ended. */
    public static String nameOf(int number) {
        for (Signal s : values()) {
            if (s.number == number) {
                return s.name();
            }
        }
        return switch (number) {
            case 4 -> "ILL";
            case 6 -> "ABRT";
            case 7 -> "BUS";
            case 8 -> "FPE";
            case 11 -> "SEGV";
            case 13 -> "PIPE";
            case 14 -> "ALRM";
            default -> "signal " + number;
        };
    }

    static String known() {
        return Arrays.stream(values()).map(Signal::name).collect(Collectors.joining(", "));
    }
}
