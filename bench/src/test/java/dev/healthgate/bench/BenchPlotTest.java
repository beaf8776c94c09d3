package dev.healthgate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlotTest {
    @TempDir
    Path tmp;

    private Path variant(String name, String series, String cycles) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("series.csv"), series);
        Files.writeString(dir.resolve("cycles.txt"), cycles);
        return dir;
    }

    @Test
    void readsTheLoadPerSecondAndTheRestartWindowsRelativeToTheLoadsStart() throws IOException {
        Path dir = variant("naive", "# started_epoch_ms=1000000 step_ms=250\nt_s,ok,failed\n0.00,70,0\n0.25,60,5\n",
                "3100 1100 0 1001500 1004600\n");

        Variant v = Variant.read(dir);

        assertThat(v.name()).isEqualTo("naive");
        assertThat(v.okPerSecond()).containsExactly(280.0, 240.0);
        assertThat(v.failedPerSecond()).containsExactly(0.0, 20.0);
        assertThat(v.restarts()).containsExactly(new Variant.Window(1.5, 4.6));
        assertThat(BenchPlot.title(v)).isEqualTo("naive: 1 restarts, 135 requests, 5 failed");
    }

    @Test
    void drawsOneChartPerVariantIntoOnePng() throws IOException {
        Path a = variant("naive", "# started_epoch_ms=0 step_ms=250\nt_s,ok,failed\n0.00,70,0\n0.25,10,60\n",
                "3100 1100 0 100 400\n");
        Path b = variant("healthgate-nat", "# started_epoch_ms=0 step_ms=250\nt_s,ok,failed\n0.00,70,0\n0.25,72,0\n",
                "3100 1100 600 100 400\n");
        Path png = tmp.resolve("out/bench.png");

        BenchPlot.write(List.of(Variant.read(a), Variant.read(b)), png);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(BenchPlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(2 * BenchPlot.HEIGHT_PER_VARIANT);
    }

    @Test
    void aMalformedRowIsRefusedNamingFileLineAndValue() throws IOException {
        Path dir = variant("seed-003", "# started_epoch_ms=0 step_ms=250\nt_s,ok,failed\n0.00,seven,0\n", "");

        assertThatThrownBy(() -> Variant.read(dir)).isInstanceOf(BenchDataException.class)
                .hasMessage(dir.resolve("series.csv") + ":3: ok must be a count >= 0, got 'seven'");
    }

    @Test
    void aCycleLineWithoutItsTimesIsRefused() throws IOException {
        Path dir = variant("seed-003", "# started_epoch_ms=0 step_ms=250\nt_s,ok,failed\n", "3100 1100 0\n");

        assertThatThrownBy(() -> Variant.read(dir)).isInstanceOf(BenchDataException.class)
                .hasMessageStartingWith(dir.resolve("cycles.txt") + ":1: expected 'cycle_ms app_ms drain_ms start_epoch_ms end_epoch_ms', got '3100 1100 0'");
    }
}
