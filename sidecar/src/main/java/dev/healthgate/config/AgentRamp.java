package dev.healthgate.config;

import java.time.Duration;

/**
 * After a restore, the agent gate raises the weight it announces from {@code fromPercent} to 100%
 * over {@code over}, so that a cold app is not flooded. {@code over} zero means no ramp.
 */
public record AgentRamp(int fromPercent, Duration over) {

    public static final AgentRamp NONE = new AgentRamp(100, Duration.ZERO);
}
