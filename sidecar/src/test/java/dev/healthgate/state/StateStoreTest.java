package dev.healthgate.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.healthgate.cycle.Action;
import dev.healthgate.cycle.AppRecord;
import dev.healthgate.cycle.CycleState;
import dev.healthgate.cycle.Intent;
import dev.healthgate.cycle.JournalException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("a record written is read back as it was, and replaces the one before")
    void writtenRecordReadsBack() throws Exception {
        StateStore store = new StateStore(dir.resolve("state"));
        store.open();
        store.write(new AppRecord("web1", Intent.IN, CycleState.IN_ROTATION, null, null, null));
        AppRecord mid = new AppRecord("web1", Intent.IN, CycleState.DRAINING, null, Action.RESTART, "drain-backup");
        store.write(mid);

        assertThat(store.read("web1")).as("web1's record after two writes").contains(mid);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dir())))
                .as("the state dir healthgate created").isEqualTo("rwx------");
        assertThat(store.read("web2")).as("an app never written").isEmpty();
        try (var files = Files.list(store.dir())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("files in the state dir: one per app, no temporary file left").containsExactly("web1.json");
        }
    }

    @Test
    @DisplayName("a FAILED record keeps its reason and an operator's drain keeps its intent")
    void failedAndDrainedRoundTrip() throws Exception {
        StateStore store = new StateStore(dir);
        store.open();
        AppRecord failed = new AppRecord("web1", Intent.IN, CycleState.FAILED, "not ready within 5000 ms \"x\"", null, null);
        AppRecord drained = new AppRecord("web2", Intent.OUT, CycleState.OUT_OF_ROTATION, null, null, null);
        store.write(failed);
        store.write(drained);
        assertThat(store.read("web1")).contains(failed);
        assertThat(store.read("web2")).contains(drained);
    }

    @Test
    @DisplayName("a corrupt file is set aside as NAME.json.corrupt and the app is read as unknown")
    void corruptFileIsSetAside() throws Exception {
        StateStore store = new StateStore(dir);
        store.open();
        Files.writeString(store.file("web1"), "{\"version\": 1, \"app\": \"web1\", \"intent\": \"IN\", \"sta");
        Files.writeString(store.file("web2"), "{\"version\": 1, \"app\": \"web2\", \"intent\": \"SIDEWAYS\", "
                + "\"state\": \"IN_ROTATION\"}");

        assertThat(store.read("web1")).as("a truncated file").isEmpty();
        assertThat(store.read("web2")).as("an unknown intent").isEmpty();
        assertThat(dir.resolve("web1.json.corrupt")).as("the truncated file, set aside").exists();
        assertThat(dir.resolve("web2.json.corrupt")).as("the file with an unknown intent, set aside").exists();
        assertThat(store.file("web1")).as("web1.json once set aside").doesNotExist();
    }

    @Test
    @DisplayName("the parser names what is wrong")
    void parserNamesTheFault() {
        assertThatThrownBy(() -> StateStore.parse("web1", "[]")).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> StateStore.parse("web1", "{\"version\": 1, \"app\": \"web2\"}"))
                .hasMessageContaining("app is web2, expected web1");
        assertThatThrownBy(() -> StateStore.parse("web1", "{\"version\": 1, \"app\": \"web1\", \"intent\": \"IN\", "
                + "\"state\": \"IN_ROTATION\", \"action\": \"reboot\"}")).hasMessageContaining("action is 'REBOOT'");
    }

    @Test
    @DisplayName("files of apps no longer configured are named, and left alone")
    void othersAreNamed() throws Exception {
        StateStore store = new StateStore(dir);
        store.open();
        store.write(new AppRecord("web1", Intent.IN, CycleState.IN_ROTATION, null, null, null));
        store.write(new AppRecord("old", Intent.OUT, CycleState.OUT_OF_ROTATION, null, null, null));
        assertThat(store.others(Set.of("web1"))).containsExactly("old");
        assertThat(store.file("old")).exists();
        assertThat(store.file("web1")).exists();
    }

    @Test
    @DisplayName("a state dir that cannot be created is an error naming it")
    void unwritableDirIsAnError() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        StateStore store = new StateStore(file.resolve("state"));
        assertThatThrownBy(store::open).isInstanceOf(JournalException.class)
                .hasMessageContaining("state-dir " + file.resolve("state"));
    }
}
