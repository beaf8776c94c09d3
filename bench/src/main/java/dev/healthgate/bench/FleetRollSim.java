package dev.healthgate.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A simulated roll of a large fleet, as {@code scripts/ansible/roll.yml} runs it: hosts in Ansible
 * {@code serial} batches, each task run with at most {@code forks} hosts at a time (Ansible's linear
 * strategy: a task ends for the batch when its last host is done, then the next task starts). The play
 * has two tasks per host: the {@code uri} call of POST /v1/roll, which answers once the host's apps are
 * back in rotation, and an {@code assert} that shows the answer and stops the play on a failure.
 *
 * <p>What a task costs is CPU, not latency: each host's {@code uri} call is a Python process (about
 * 1 s of CPU, measured by {@code scripts/bench-fleet}), and every task forks a worker per host on
 * the controller (about 0.2 s). Run from the controller, a batch's calls queue for its cores before
 * the last one is sent; with {@code healthgate_api_from} set to the host, the call's Python runs there
 * and the controller pays only the worker. Each host's cycle is drawn (seeded) from a log-normal
 * distribution with a share of stragglers. The roll is set against its lower bound, the sum over
 * batches of the batch's slowest cycle: no orchestration that waits for a batch before the next does better.
 *
 * <p>{@code scripts/ansible/roll-batch.yml} rolls the same batches with one task per batch: its action
 * calls every host of the batch from one worker on the controller, one thread per host, so a batch costs
 * one worker's CPU ({@link BatchPlay#batchCpu}) plus a little per host ({@link BatchPlay#hostCpu}), then
 * the batch's slowest cycle.
 *
 * <pre>java -cp bench/target/classes dev.healthgate.bench.FleetRollSim [--hosts 1000] [--seed 42] ...</pre>
 */
public final class FleetRollSim {

    /** The fleet. Times in seconds. */
    record Fleet(int hosts, long seed, double medianCycle, double sigma, double stragglerShare,
            double stragglerFactor) {

        /** Each host's cycle: log-normal around the median, a straggler share slower by a factor. */
        double[] cycles() {
            SplittableRandom random = new SplittableRandom(seed);
            double[] out = new double[hosts];
            for (int i = 0; i < hosts; i++) {
                double c = medianCycle * Math.exp(sigma * gaussian(random));
                if (random.nextDouble() < stragglerShare) {
                    c *= stragglerFactor;
                }
                out[i] = c;
            }
            return out;
        }

        /** Box-Muller: SplittableRandom has no nextGaussian on Java 17. */
        private static double gaussian(SplittableRandom r) {
            double u = 1.0 - r.nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
        }
    }

    /**
     * The controller: CPU seconds of one {@code uri} call and of one task's worker per host, its cores,
     * and whether the calls run on the hosts themselves ({@code healthgate_api_from}).
     */
    record Controller(double callCpu, double taskCpu, int cores, boolean callsOnHosts) {
        static final Controller FREE = new Controller(0, 0, 1, true);

        Controller onHosts(boolean on) {
            return new Controller(callCpu, taskCpu, cores, on);
        }
    }

    /**
     * roll-batch.yml's costs on the controller: CPU seconds per batch (its one task's worker and Ansible's
     * own work between batches) and per host of a batch (a thread's HTTP call).
     */
    record BatchPlay(double batchCpu, double hostCpu) {
    }

    /** One roll's figures. */
    record Result(String serial, int forks, int batches, double seconds, double lowerBound) {
        double ratio() {
            return seconds / lowerBound;
        }
    }

    private FleetRollSim() {
    }

    /**
     * Ansible's batch sizes for {@code serial} over {@code hosts}: a number, or a percentage rounded down
     * (at least 1); the last batch takes what is left.
     */
    static List<Integer> batches(String serial, int hosts) {
        int size;
        if (serial.endsWith("%")) {
            double pct = Double.parseDouble(serial.substring(0, serial.length() - 1));
            size = Math.max(1, (int) (pct / 100.0 * hosts));
        } else {
            size = Integer.parseInt(serial);
        }
        if (size < 1) {
            throw new IllegalArgumentException("serial = " + serial + ": must be at least 1 host");
        }
        List<Integer> out = new ArrayList<>();
        for (int left = hosts; left > 0; left -= size) {
            out.add(Math.min(size, left));
        }
        return out;
    }

    /** Rolls the fleet of {@code cycles} in {@code serial} batches with {@code forks} workers on {@code c}. */
    static Result roll(double[] cycles, String serial, int forks, Controller c) {
        double total = 0;
        double bound = 0;
        int first = 0;
        List<Integer> sizes = batches(serial, cycles.length);
        for (int size : sizes) {
            double[] batch = Arrays.copyOfRange(cycles, first, first + size);
            first += size;
            bound += Arrays.stream(batch).max().orElse(0);
            total += rollTask(batch, forks, c);
            // the assert: a worker per host, nothing to wait for
            total += task(new double[size], forks, c.taskCpu(), 0, c.cores());
        }
        return new Result(serial, forks, sizes.size(), total, bound);
    }

    /**
     * Rolls the fleet as roll-batch.yml does: per batch, the worker's CPU, then the calls one after the
     * other from its threads (each {@code hostCpu}), each host's cycle starting when its call is sent.
     */
    static Result rollOneTaskPerBatch(double[] cycles, String serial, BatchPlay play) {
        double total = 0;
        double bound = 0;
        int first = 0;
        List<Integer> sizes = batches(serial, cycles.length);
        for (int size : sizes) {
            double end = 0;
            for (int i = 0; i < size; i++) {
                end = Math.max(end, play.hostCpu() * (i + 1) + cycles[first + i]);
            }
            bound += Arrays.stream(cycles, first, first + size).max().orElse(0);
            total += play.batchCpu() + end;
            first += size;
        }
        return new Result(serial, 1, sizes.size(), total, bound);
    }

    /** The uri task of one batch: the call's CPU, where it runs, then the wait for the host's cycle. */
    static double rollTask(double[] cycles, int forks, Controller c) {
        if (c.callsOnHosts()) {
            // the controller forks a worker per host; the call's Python runs on each host, in parallel
            return task(cycles, forks, c.taskCpu(), c.callCpu(), c.cores());
        }
        return task(cycles, forks, c.taskCpu() + c.callCpu(), 0, c.cores());
    }

    /**
     * One task over a batch: host i takes a free one of {@code forks} workers (in order), then
     * {@code controllerCpu} seconds on one of the controller's {@code cores} (first come, first served),
     * then {@code hostCpu} seconds and its {@code waits[i]} off the controller. Returns when the last is done.
     */
    static double task(double[] waits, int forks, double controllerCpu, double hostCpu, int cores) {
        PriorityQueue<Double> workers = new PriorityQueue<>();
        for (int i = 0; i < Math.min(forks, waits.length); i++) {
            workers.add(0.0);
        }
        PriorityQueue<Double> cpus = new PriorityQueue<>();
        for (int i = 0; i < cores; i++) {
            cpus.add(0.0);
        }
        double end = 0;
        for (double wait : waits) {
            double start = workers.poll();
            double cpuDone = Math.max(start, cpus.poll()) + controllerCpu;
            cpus.add(cpuDone);
            double done = cpuDone + hostCpu + wait;
            end = Math.max(end, done);
            workers.add(done);
        }
        return end;
    }

    /** {@code value} as a number of at least 0, or an error naming the option and the value. */
    private static double number(String option, String value) {
        try {
            double v = Double.parseDouble(value);
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(option + " = " + value + ": expected a number of at least 0");
    }

    /** Prints the README's table for the fleet and controller the options give. */
    public static void main(String[] args) {
        int hosts = 1000;
        long seed = 42;
        double median = 3.5;
        double callCpu = 1.06;
        double taskCpu = 0.22;
        double batchCpu = 0.5;
        double batchHostCpu = 0.005;
        int cores = 8;
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("every option takes a value: " + String.join(" ", args));
        }
        for (int i = 0; i < args.length; i += 2) {
            double v = number(args[i], args[i + 1]);
            switch (args[i]) {
                case "--hosts" -> hosts = (int) v;
                case "--seed" -> seed = (long) v;
                case "--median" -> median = v;
                case "--call-cpu" -> callCpu = v;
                case "--task-cpu" -> taskCpu = v;
                case "--batch-cpu" -> batchCpu = v;
                case "--batch-host-cpu" -> batchHostCpu = v;
                case "--cores" -> cores = (int) v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--hosts --seed --median --call-cpu --task-cpu --batch-cpu --batch-host-cpu --cores)");
            }
        }
        if (hosts < 1) {
            throw new IllegalArgumentException("--hosts = " + hosts + ": at least 1");
        }
        if (cores < 1) {
            throw new IllegalArgumentException("--cores = " + cores + ": at least 1");
        }
        Fleet fleet = new Fleet(hosts, seed, median, 0.25, 0.02, 3.0);
        Controller controller = new Controller(callCpu, taskCpu, cores, false);
        double[] cycles = fleet.cycles();
        System.out.printf(Locale.ROOT, "%d hosts, seed %d: cycle median %.1f s (log-normal, sigma %.2f), %.0f%% "
                + "stragglers x%.0f; controller: %d cores, %.2f s CPU per uri call, %.2f s per task and host%n",
                hosts, seed, median, fleet.sigma(), fleet.stragglerShare() * 100, fleet.stragglerFactor(), cores,
                callCpu, taskCpu);
        System.out.println("| serial | forks | batches | lower bound | calls from the controller | ratio "
                + "| calls on each host | ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String serial : List.of("1", "10", "5%", "10%", "35%")) {
            int batch = batches(serial, hosts).get(0);
            for (int forks : batch <= 5 ? new int[] {batch} : new int[] {5, batch}) {
                Result central = roll(cycles, serial, forks, controller);
                Result spread = roll(cycles, serial, forks, controller.onHosts(true));
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f s | %.0f s | %.2f | %.0f s | %.2f |%n", serial,
                        forks, central.batches(), central.lowerBound(), central.seconds(), central.ratio(),
                        spread.seconds(), spread.ratio());
            }
        }
        BatchPlay batchPlay = new BatchPlay(batchCpu, batchHostCpu);
        System.out.printf(Locale.ROOT, "%nroll-batch.yml (one task per batch): %.2f s CPU per batch, %.3f s per host "
                + "of a batch%n", batchCpu, batchHostCpu);
        System.out.println("| serial | batches | lower bound | roll-batch.yml | ratio |");
        System.out.println("|---|---|---|---|---|");
        for (String serial : List.of("1", "10", "5%", "10%", "35%")) {
            Result r = rollOneTaskPerBatch(cycles, serial, batchPlay);
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f s | %.0f s | %.2f |%n", serial, r.batches(),
                    r.lowerBound(), r.seconds(), r.ratio());
        }
    }
}
