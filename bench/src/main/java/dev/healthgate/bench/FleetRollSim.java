package dev.healthgate.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A simulated roll of a large fleet, as {@code scripts/ansible/roll.yml} runs it: hosts in Ansible
 * {@code serial} batches, each batch's tasks run with at most {@code forks} hosts at a time (Ansible's
 * linear strategy: a task ends for the batch when its last host is done, then the next task starts),
 * two calls per host (POST /v1/roll, which answers when the host's apps are back in rotation, then GET
 * /v1/apps) and a fixed cost per task. Each host's cycle time is drawn (seeded) from a log-normal
 * distribution with a share of stragglers. The roll's time is set against its lower bound, the sum over
 * batches of the batch's slowest cycle (no orchestration can beat it without more hosts out at once).
 *
 * <pre>java -cp bench/target/classes dev.healthgate.bench.FleetRollSim [--hosts 1000] [--seed 42] ...</pre>
 */
public final class FleetRollSim {

    /** The fleet and the controller's costs. Times in seconds. */
    record Model(int hosts, long seed, double medianCycle, double sigma, double stragglerShare,
            double stragglerFactor, double callOverhead, double taskOverhead) {

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

    /**
     * Rolls the fleet of {@code cycles} in {@code serial} batches with {@code forks} workers; {@code check}:
     * with the GET /v1/apps task after each batch's roll.
     */
    static Result roll(double[] cycles, String serial, int forks, boolean check, Model m) {
        double total = 0;
        double bound = 0;
        int first = 0;
        List<Integer> sizes = batches(serial, cycles.length);
        for (int size : sizes) {
            double[] batch = Arrays.copyOfRange(cycles, first, first + size);
            first += size;
            bound += Arrays.stream(batch).max().orElse(0);
            double[] rollTask = batch.clone();
            for (int i = 0; i < rollTask.length; i++) {
                rollTask[i] += m.callOverhead();
            }
            double[] checkTask = new double[size];
            Arrays.fill(checkTask, m.callOverhead());
            total += m.taskOverhead() + makespan(rollTask, forks);
            if (check) {
                total += m.taskOverhead() + makespan(checkTask, forks);
            }
        }
        return new Result(serial, forks, sizes.size(), total, bound);
    }

    /** How long {@code forks} workers take for {@code jobs}, each worker taking the next job in order once free. */
    static double makespan(double[] jobs, int forks) {
        PriorityQueue<Double> free = new PriorityQueue<>();
        for (int i = 0; i < Math.min(forks, jobs.length); i++) {
            free.add(0.0);
        }
        double end = 0;
        for (double job : jobs) {
            double done = free.poll() + job;
            end = Math.max(end, done);
            free.add(done);
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

    /** Prints the table of the README for the fleet given by the options (defaults: 1000 hosts, seed 42). */
    public static void main(String[] args) {
        int hosts = 1000;
        long seed = 42;
        double median = 3.5;
        double call = 0.4;
        double task = 0.1;
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("every option takes a value: " + String.join(" ", args));
        }
        for (int i = 0; i < args.length; i += 2) {
            double v = number(args[i], args[i + 1]);
            switch (args[i]) {
                case "--hosts" -> hosts = (int) v;
                case "--seed" -> seed = (long) v;
                case "--median" -> median = v;
                case "--call-overhead" -> call = v;
                case "--task-overhead" -> task = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--hosts --seed --median --call-overhead --task-overhead)");
            }
        }
        if (hosts < 1) {
            throw new IllegalArgumentException("--hosts = " + hosts + ": at least 1");
        }
        Model m = new Model(hosts, seed, median, 0.25, 0.02, 3.0, call, task);
        double[] cycles = m.cycles();
        System.out.printf(Locale.ROOT, "%d hosts, seed %d: cycle median %.1f s (log-normal, sigma %.2f), %.0f%% "
                + "stragglers x%.0f; per host call %.2f s, per task %.2f s%n", hosts, seed, median, m.sigma(),
                m.stragglerShare() * 100, m.stragglerFactor(), call, task);
        System.out.println("| serial | forks | batches | lower bound | roll | ratio | roll without the GET check | ratio |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String serial : List.of("1", "10", "5%", "10%", "35%")) {
            int batch = batches(serial, hosts).get(0);
            for (int forks : batch <= 5 ? new int[] {batch} : new int[] {5, batch}) {
                Result r = roll(cycles, serial, forks, true, m);
                Result lean = roll(cycles, serial, forks, false, m);
                System.out.printf(Locale.ROOT, "| %s | %d | %d | %.0f s | %.0f s | %.2f | %.0f s | %.2f |%n", serial,
                        forks, r.batches(), r.lowerBound(), r.seconds(), r.ratio(), lean.seconds(), lean.ratio());
            }
        }
    }
}
