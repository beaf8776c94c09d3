package dev.healthgate.gate;

/**
 * How much of one line a gate found in place when healthgate started: all of it, part of it (a nat rule
 * in one of its two chains only, as a healthgate killed between two iptables calls leaves it), or none.
 */
public enum Presence {
    ALL,
    PART,
    NONE
}
