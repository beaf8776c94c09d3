package dev.healthgate.gate;

/**
 * What a gate found in place at start, line by line, before {@link Gate#reconcile} changes anything.
 *
 * @param main   the main line
 * @param backup the backup line
 */
public record Found(Presence main, Presence backup) {

    /** Nothing in place: what a gate that lives in healthgate (port, http-404, agent) always finds. */
    public static final Found NOTHING = new Found(Presence.NONE, Presence.NONE);

    public Presence of(Line line) {
        return line == Line.MAIN ? main : backup;
    }
}
