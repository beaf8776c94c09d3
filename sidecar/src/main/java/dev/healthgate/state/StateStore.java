package dev.healthgate.state;

import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppRecord;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Intent;
import dev.healthgate.cycle.Journal;
import dev.healthgate.cycle.JournalException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code state-dir}: one small JSON file per app ({@code web1.json}) holding its {@link AppRecord}.
 * Each write goes to a temporary file in the same directory, is flushed to disk (fsync), renamed over the
 * old file in one atomic step, and the directory is flushed too: a healthgate killed at any moment, or a
 * host that loses power, leaves either the old record or the new one, never half of one.
 *
 * <p>A file that cannot be read back (not JSON, a missing or unknown field, another app's name) is set
 * aside as {@code web1.json.corrupt} with a warning, and the app is treated as unknown: healthgate then
 * starts it as it did before it kept state (a nat app whose rules are in place stays in; any other is put
 * into rotation once it is ready, if {@code restore-on-start}). Refusing to start instead would leave every
 * app on the host without its status ports (the port, http-404 and agent gates live in healthgate), so all
 * of them out of HAProxy's rotation, for one bad file; and the fallback never puts an unready app in. The
 * worst it does is restore a ready app an operator had drained, which the warning says.
 *
 * <p>A directory that cannot be created or written is an error at start: the promise to survive a crash
 * cannot be kept without it. Blocking: call from workers or before the event loop serves.
 */
public final class StateStore implements Journal {

    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
    private static final int VERSION = 1;
    private static final String SUFFIX = ".json";

    private final Path dir;

    public StateStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Creates the directory if needed (owner only: a failure's reason may quote the app's output) and checks
     * that files can be written there.
     */
    public void open() throws JournalException {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path probe = Files.createTempFile(dir, ".probe-", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new JournalException("state-dir " + dir + " cannot be created or written: " + describe(e), e);
        }
    }

    /** The file that holds {@code app}'s record. */
    public Path file(String app) {
        return dir.resolve(app + SUFFIX);
    }

    @Override
    public void write(AppRecord record) throws JournalException {
        Path target = file(record.app());
        Path tmp = dir.resolve("." + record.app() + SUFFIX + ".tmp");
        byte[] bytes = (toJson(record).encodePrettily() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new JournalException("cannot replace " + target + " atomically: " + describe(e), e);
            }
            // the rename itself is durable only once the directory is
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new JournalException("cannot write " + target + ": " + describe(e), e);
        }
    }

    /**
     * Reads {@code app}'s record: empty when there is none, or when the file is corrupt (then set aside as
     * {@code APP.json.corrupt}, with a warning naming it; see the class comment for why this is not an error).
     * An error reading the directory itself is thrown.
     */
    public Optional<AppRecord> read(String app) throws JournalException {
        Path file = file(app);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new JournalException("cannot read " + file + ": " + describe(e), e);
        }
        try {
            return Optional.of(parse(app, text));
        } catch (IllegalArgumentException e) {
            Path aside = dir.resolve(app + SUFFIX + ".corrupt");
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                aside = file;
            }
            LOG.warn("{}: its state file {} is corrupt ({}); kept as {}; healthgate does not know whether an "
                    + "operator drained it, and starts it as if it had no state", app, file, e.getMessage(), aside);
            return Optional.empty();
        }
    }

    /**
     * The apps with a file here that are not in {@code apps}. They are left alone, not deleted: another
     * healthgate may share the directory (each should have its own), and an app taken out of the config by
     * mistake finds its state again when it is put back.
     */
    public List<String> others(Set<String> apps) throws JournalException {
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String app = name.substring(0, name.length() - SUFFIX.length());
                if (!apps.contains(app)) {
                    removed.add(app);
                }
            }
        } catch (IOException e) {
            throw new JournalException("cannot list state-dir " + dir + ": " + describe(e), e);
        }
        return removed;
    }

    static JsonObject toJson(AppRecord r) {
        return new JsonObject()
                .put("version", VERSION)
                .put("app", r.app())
                .put("intent", r.intent().name())
                .put("state", r.state().name())
                .put("reason", r.reason())
                .put("action", r.action() == null ? null : r.action().key())
                .put("phase", r.phase())
                .put("written", Instant.now().toString());
    }

    /** Parses a file's text; throws IllegalArgumentException saying what is wrong. */
    static AppRecord parse(String app, String text) {
        JsonObject json;
        try {
            json = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException("not a JSON object");
        }
        Object version = json.getValue("version");
        if (!(version instanceof Number n) || n.intValue() != VERSION) {
            throw new IllegalArgumentException("version is " + version + ", expected " + VERSION);
        }
        if (!app.equals(json.getValue("app"))) {
            throw new IllegalArgumentException("app is " + json.getValue("app") + ", expected " + app);
        }
        Intent intent = constant(Intent.class, json, "intent");
        CycleState state = constant(CycleState.class, json, "state");
        String action = text(json, "action");
        Action running = null;
        if (action != null) {
            running = constant(Action.class, "action", action.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
        return new AppRecord(app, intent, state, text(json, "reason"), running, text(json, "phase"));
    }

    private static <E extends Enum<E>> E constant(Class<E> type, JsonObject json, String key) {
        String value = text(json, key);
        if (value == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
        return constant(type, key, value);
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String key, String value) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + " is '" + value + "', not one healthgate knows");
        }
    }

    private static String text(JsonObject json, String key) {
        Object v = json.getValue(key);
        if (v != null && !(v instanceof String)) {
            throw new IllegalArgumentException(key + " is not a string");
        }
        return (String) v;
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.toString() : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
