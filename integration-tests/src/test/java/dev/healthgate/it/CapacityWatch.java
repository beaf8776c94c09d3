package dev.healthgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * HAProxy's own count of the instances that take new clients, sampled from its stats socket every
 * {@code period}: the non-backup servers of {@code backend} whose status is UP with a weight
 * above 0 (an UP line that fails one check is still {@code UP 1/2} and still in rotation; NOLB, DRAIN,
 * MAINT, DOWN and weight 0 are out).
 * The test reads the socket; healthgate never does.
 */
public final class CapacityWatch implements AutoCloseable {

    /** One sample: when (System.nanoTime) and the servers in rotation then. */
    public record Sample(long nanos, List<String> inRotation) {
    }

    private static final Duration LIMIT = Duration.ofMinutes(10);

    private final Path socket;
    private final String backend;
    private final List<Sample> samples = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private Sampler sampler;

    private CapacityWatch(Path socket, String backend) {
        this.socket = socket;
        this.backend = backend;
    }

    /** Starts sampling {@code backend} through HAProxy's stats {@code socket} (for at most 10 minutes). */
    public static CapacityWatch start(Path socket, String backend, Duration period) {
        CapacityWatch watch = new CapacityWatch(socket, backend);
        watch.sampler = Sampler.every("capacity-watch", period, LIMIT, watch::sample);
        return watch;
    }

    /**
     * The lines to add to HAProxy's {@code global} section for this watch: a stats socket at
     * {@code socket}, readable by root only, and one thread, so that HAProxy never drops a log line
     * (the log is how retried and redispatched requests are counted).
     */
    public static String globalLines(Path socket) {
        return "    stats socket " + socket + " mode 600 level user\n    nbthread 1";
    }

    public synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** Errors reading the socket (a few are tolerated: HAProxy may be busy; many mean no data). */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** The samples with fewer than {@code min} servers in rotation. */
    public List<Sample> below(int min) {
        return samples().stream().filter(s -> s.inRotation().size() < min).toList();
    }

    /** How many samples saw each count of servers in rotation, e.g. {3=120, 4=800}. */
    public Map<Integer, Long> histogram() {
        Map<Integer, Long> h = new TreeMap<>();
        samples().forEach(s -> h.merge(s.inRotation().size(), 1L, Long::sum));
        return h;
    }

    @Override
    public void close() {
        sampler.close();
    }

    private void sample() {
        long t = System.nanoTime();
        try {
            List<String> up = inRotation(showStat());
            synchronized (this) {
                samples.add(new Sample(t, up));
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                errors.add(e.toString());
            }
        }
    }

    private String showStat() throws IOException {
        return query(socket, "show stat");
    }

    /**
     * HAProxy's {@code DroppedLogs} from {@code show info}: log lines it gave up writing (with more
     * than one thread, a line that finds another thread writing is dropped after a few attempts).
     */
    public long droppedLogs() {
        try {
            return query(socket, "show info").lines().filter(l -> l.startsWith("DroppedLogs:"))
                    .mapToLong(l -> Long.parseLong(l.substring("DroppedLogs:".length()).strip())).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no DroppedLogs in HAProxy's show info"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read HAProxy's show info from " + socket, e);
        }
    }

    /** Sends one command to HAProxy's stats socket and returns the whole answer. */
    static String query(Path socket, String command) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            StringBuilder out = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
            return out.toString();
        }
    }

    /** The non-backup servers of the backend whose status starts with UP, from {@code show stat}'s CSV. */
    List<String> inRotation(String csv) {
        String[] lines = csv.split("\n");
        if (lines.length == 0 || !lines[0].startsWith("# ")) {
            throw new IllegalStateException("not a show stat answer: " + csv.lines().findFirst().orElse(""));
        }
        List<String> header = List.of(lines[0].substring(2).split(",", -1));
        int px = header.indexOf("pxname");
        int sv = header.indexOf("svname");
        int status = header.indexOf("status");
        int bck = header.indexOf("bck");
        int weight = header.indexOf("weight");
        List<String> up = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].split(",", -1);
            if (f.length < header.size()) {
                continue;
            }
            if (f[px].equals(backend) && !f[sv].equals("BACKEND") && f[bck].equals("0") && f[status].startsWith("UP")
                    && !f[weight].equals("0")) {
                up.add(f[sv]);
            }
        }
        return up;
    }
}
