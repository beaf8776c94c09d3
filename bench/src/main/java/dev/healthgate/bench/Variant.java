package dev.healthgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One variant of scripts/bench: its load over time (requests answered and failed per bucket) and
 * its restart windows, both in seconds since the load started.
 *
 * @param name the variant, e.g. {@code healthgate-nat}
 * @param stepSeconds the length of one bucket
 * @param okPerBucket requests answered 200 per bucket
 * @param failedPerBucket requests failed per bucket
 * @param restarts when each restart ran
 */
public record Variant(String name, double stepSeconds, List<Integer> okPerBucket, List<Integer> failedPerBucket,
        List<Window> restarts) {
    private static final Pattern HEADER = Pattern.compile("# started_epoch_ms=(\\d+) step_ms=(\\d+)");

    /** A restart, from its first step to its end. */
    public record Window(double fromSecond, double toSecond) {
    }

    public Variant {
        okPerBucket = List.copyOf(okPerBucket);
        failedPerBucket = List.copyOf(failedPerBucket);
        restarts = List.copyOf(restarts);
    }

    /**
     * Reads {@code dir/series.csv} (a {@code # started_epoch_ms=... step_ms=...} line, a
     * {@code t_s,ok,failed} header, one row per bucket) and {@code dir/cycles.txt} (one restart per
     * line: {@code cycle_ms app_ms drain_ms start_epoch_ms end_epoch_ms}).
     */
    public static Variant read(Path dir) {
        Path series = dir.resolve("series.csv");
        List<String> lines = lines(series);
        if (lines.size() < 2) {
            throw new BenchDataException(series + ": expected a '# started_epoch_ms=N step_ms=N' line and a header, got "
                    + lines.size() + " line(s)");
        }
        Matcher h = HEADER.matcher(lines.get(0));
        if (!h.matches()) {
            throw new BenchDataException(series + ":1: expected '# started_epoch_ms=N step_ms=N', got '" + lines.get(0)
                    + "'");
        }
        long started = Long.parseLong(h.group(1));
        double step = Long.parseLong(h.group(2)) / 1000.0;
        if (step <= 0) {
            throw new BenchDataException(series + ":1: step_ms must be above 0, got " + h.group(2));
        }
        List<Integer> ok = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        for (int i = 2; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            if (f.length != 3) {
                throw new BenchDataException(series + ":" + (i + 1) + ": expected t_s,ok,failed, got '" + lines.get(i)
                        + "'");
            }
            ok.add(count(series, i + 1, "ok", f[1]));
            failed.add(count(series, i + 1, "failed", f[2]));
        }
        Path cycles = dir.resolve("cycles.txt");
        List<Window> windows = new ArrayList<>();
        List<String> cycleLines = lines(cycles);
        for (int i = 0; i < cycleLines.size(); i++) {
            String[] f = cycleLines.get(i).trim().split("\\s+");
            if (f.length != 5) {
                throw new BenchDataException(cycles + ":" + (i + 1)
                        + ": expected 'cycle_ms app_ms drain_ms start_epoch_ms end_epoch_ms', got '" + cycleLines.get(i)
                        + "'");
            }
            long from = epoch(cycles, i + 1, "start_epoch_ms", f[3]);
            long to = epoch(cycles, i + 1, "end_epoch_ms", f[4]);
            windows.add(new Window((from - started) / 1000.0, (to - started) / 1000.0));
        }
        return new Variant(dir.getFileName().toString(), step, ok, failed, windows);
    }

    public int requests() {
        return okPerBucket.stream().mapToInt(Integer::intValue).sum() + failed();
    }

    public int failed() {
        return failedPerBucket.stream().mapToInt(Integer::intValue).sum();
    }

    /** The start of each bucket, in seconds since the load started. */
    public List<Double> seconds() {
        List<Double> x = new ArrayList<>();
        for (int i = 0; i < okPerBucket.size(); i++) {
            x.add(i * stepSeconds);
        }
        return x;
    }

    public List<Double> okPerSecond() {
        return okPerBucket.stream().map(n -> n / stepSeconds).toList();
    }

    public List<Double> failedPerSecond() {
        return failedPerBucket.stream().map(n -> n / stepSeconds).toList();
    }

    public double peakPerSecond() {
        double peak = 0;
        for (int i = 0; i < okPerBucket.size(); i++) {
            peak = Math.max(peak, Math.max(okPerBucket.get(i), failedPerBucket.get(i)) / stepSeconds);
        }
        return peak;
    }

    public double lastSecond() {
        double last = okPerBucket.size() * stepSeconds;
        for (Window w : restarts) {
            last = Math.max(last, w.toSecond());
        }
        return last;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new BenchDataException("cannot read " + file + ": " + e);
        }
    }

    private static int count(Path file, int line, String column, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BenchDataException(file + ":" + line + ": " + column + " must be a count >= 0, got '" + value + "'");
    }

    private static long epoch(Path file, int line, String column, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BenchDataException(file + ":" + line + ": " + column + " must be epoch milliseconds, got '" + value
                    + "'");
        }
    }
}
