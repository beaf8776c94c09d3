package dev.healthgate.cycle;

import java.util.List;

/**
 * Where a running roll is: the apps it takes in turn, the one it is at now and how many are done. Shown
 * in the 409 that refuses any other operator action while the roll runs.
 *
 * @param apps the apps the roll restarts, in order
 * @param at   the app being restarted now
 * @param done how many apps are back in rotation
 */
public record RollStatus(List<String> apps, String at, int done) {

    public RollStatus {
        apps = List.copyOf(apps);
    }
}
