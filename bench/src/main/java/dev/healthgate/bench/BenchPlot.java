package dev.healthgate.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * scripts/bench's plot: for each variant, requests answered and failed per second over the run,
 * with each restart's window shaded, one chart per variant, stacked into one PNG.
 *
 * <p>{@code java -jar healthgate-bench.jar OUT.png DIR...}: each DIR is one variant's directory
 * (named after the variant) with {@code series.csv} from {@code loadgen.py --series} and
 * {@code cycles.txt} from scripts/bench.
 */
public final class BenchPlot {
    static final int WIDTH = 1100;
    static final int HEIGHT_PER_VARIANT = 240;
    private static final Color OK = new Color(0x2e7d32);
    private static final Color FAILED = new Color(0xc62828);
    private static final Color RESTART = new Color(0x1565c0, true);

    private BenchPlot() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || !args[0].endsWith(".png")) {
            System.err.println("usage: java -jar healthgate-bench.jar OUT.png VARIANT_DIR...");
            System.exit(2);
        }
        try {
            List<Variant> variants = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                variants.add(Variant.read(Path.of(args[i])));
            }
            write(variants, Path.of(args[0]));
            System.out.println("wrote " + args[0]);
        } catch (BenchDataException e) {
            System.err.println("bench plot: " + e.getMessage());
            System.exit(2);
        }
    }

    /** Draws one chart per variant, stacked, into {@code png}. */
    public static void write(List<Variant> variants, Path png) {
        List<Chart<?, ?>> charts = new ArrayList<>();
        double xMax = variants.stream().mapToDouble(Variant::lastSecond).max().orElse(1);
        for (Variant v : variants) {
            charts.add(chart(v, xMax));
        }
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            String base = png.toString().substring(0, png.toString().length() - ".png".length());
            BitmapEncoder.saveBitmap(charts, charts.size(), 1, base, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
    }

    /** "healthgate-nat: 16 restarts, 12000 requests, 0 failed". */
    static String title(Variant v) {
        return String.format("%s: %d restarts, %d requests, %d failed", v.name(), v.restarts().size(), v.requests(),
                v.failed());
    }

    private static XYChart chart(Variant v, double xMax) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT_PER_VARIANT).title(title(v))
                .xAxisTitle("seconds since the load started").yAxisTitle("requests/s").build();
        Styler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        s.setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(xMax).setYAxisMin(0.0);
        double top = Math.max(1, v.peakPerSecond()) * 1.1;
        chart.getStyler().setYAxisMax(top);

        List<Double> wx = new ArrayList<>();
        List<Double> wy = new ArrayList<>();
        for (Variant.Window w : v.restarts()) {
            wx.addAll(List.of(w.fromSecond(), w.fromSecond(), w.toSecond(), w.toSecond()));
            wy.addAll(List.of(0.0, top, top, 0.0));
        }
        if (!wx.isEmpty()) {
            XYSeries windows = chart.addSeries("restart", wx, wy);
            windows.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
            windows.setFillColor(new Color(RESTART.getRed(), RESTART.getGreen(), RESTART.getBlue(), 40));
            windows.setLineColor(new Color(RESTART.getRed(), RESTART.getGreen(), RESTART.getBlue(), 90));
            windows.setMarker(SeriesMarkers.NONE);
        }
        XYSeries ok = chart.addSeries("answered", v.seconds(), v.okPerSecond());
        ok.setLineColor(OK);
        ok.setMarker(SeriesMarkers.NONE);
        XYSeries failed = chart.addSeries("failed", v.seconds(), v.failedPerSecond());
        failed.setLineColor(FAILED);
        failed.setMarker(SeriesMarkers.NONE);
        return chart;
    }
}
