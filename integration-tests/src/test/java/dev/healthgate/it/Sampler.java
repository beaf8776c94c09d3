package dev.healthgate.it;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Takes a sample every {@code period} on a thread of its own, paced by a scheduler (a slow sample delays
 * the next one, samples never overlap), until closed or for at most {@code limit}: the watchers of the ITs
 * (HAProxy's servers in rotation, when a port first refused, which command lines held the token). A sample
 * that throws ends the sampling; a sample that may fail keeps its own errors.
 */
public final class Sampler implements AutoCloseable {

    private final ScheduledExecutorService scheduler;

    private Sampler(String name) {
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts taking {@code sample} every {@code period}, the first at once; stops by itself after {@code limit}. */
    public static Sampler every(String name, Duration period, Duration limit, Runnable sample) {
        Sampler sampler = new Sampler(name);
        sampler.scheduler.scheduleWithFixedDelay(sample, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        sampler.scheduler.schedule(sampler.scheduler::shutdownNow, limit.toNanos(), TimeUnit.NANOSECONDS);
        return sampler;
    }

    /** Stops sampling and waits (up to 5 s) for a sample being taken to end. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
