package dev.healthgate.gate;

/**
 * What a gate has in place now, read from the system rather than remembered.
 *
 * @param main   whether HAProxy's check on the main status port reaches the app
 * @param backup whether HAProxy's check on the backup status port reaches the app
 */
public record GateStatus(boolean main, boolean backup) {

    public boolean isOpen(Line line) {
        return line == Line.MAIN ? main : backup;
    }
}
