package org.explainj.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.explainj.ExplainJException;
import org.explainj.cli.BatchInputs;
import org.explainj.cli.ExplainFolder;
import org.explainj.cli.ImageJob;
import org.explainj.cli.MeasurementTable;
import org.explainj.explain.ExplainRequest;

/**
 * ExplainFolder on Apache Spark: every image of a folder (recursively), of a list file (one path per line) or of a
 * CSV ({@code image} column, optional {@code roi} and {@code mask} columns: {@link BatchInputs}) is explained by an
 * executor with ExplainJ's core — the same files per image as ExplainFolder ({@code <name>-heatmap.tif},
 * {@code <name>-overlay.png}, in the image's subfolder; written under a temporary name and renamed),
 * one {@code measurements.csv} (and {@code measurements.parquet} with {@code --parquet true}), {@code failures.csv}
 * (image, message) and a summary. One image per partition, so a slow image holds no stage; the model is loaded and
 * prepared once per executor JVM (ExplainJ's model cache is per JVM). Finished images are skipped when the job runs
 * again on the same output (their rows are kept in {@code .rows/}).
 *
 * <p>Usage: {@code ExplainSpark --master local[2] --input DIR|list.txt|table.csv --output DIR --model FILE
 * [--parquet true] [--KEY VALUE]...} (KEY: any key of Explain Image). On a cluster, give no {@code --master}:
 * spark-submit sets it.
 */
public final class ExplainSpark {

    private ExplainSpark() {
    }

    /** What a run did. */
    public record Summary(int explained, int skipped, List<String> failed, long millis) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Explained %d image(s), skipped %d already done, %d failed, in %.1f s%n",
                    explained, skipped, failed.size(), millis / 1000.0) + (failed.isEmpty() ? ""
                    : "Failed: " + String.join(", ", failed) + " (see failures.csv)\n");
        }
    }

    /** One image's outcome on an executor: its measurement rows, or the failure message. */
    private record Outcome(String image, String name, List<String> rows, String failure) implements Serializable {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        try {
            Summary s = run(parse(args));
            System.out.print(s);
            System.exit(s.failed().isEmpty() ? 0 : 1);
        } catch (ExplainJException | IllegalArgumentException e) {
            System.err.println("ExplainJ error: " + e.getMessage());
            System.exit(2);
        }
    }

    static Map<String, String> parse(String[] args) {
        return ExplainFolder.parse(args, "explain-spark --master local[2] --input DIR --output DIR --model FILE "
                + "[--KEY VALUE]...");
    }

    /** Runs the job; {@code opts} holds master (optional), input, output, model, parquet and Explain Image keys. */
    public static Summary run(Map<String, String> opts) {
        Map<String, String> keys = new LinkedHashMap<>(opts);
        String master = keys.remove("master");
        Path input = Path.of(required(keys, "input"));
        Path output = Path.of(required(keys, "output")).toAbsolutePath();
        keys.remove("input");
        keys.remove("output");
        boolean parquet = Boolean.parseBoolean(keys.getOrDefault("parquet", "false"));
        keys.remove("parquet");
        required(keys, "model");
        ExplainFolder.request(keys, "--master, --input, --output, --parquet"); // checked before any work
        List<ImageJob> images = BatchInputs.of(input, output);
        try {
            Files.createDirectories(output.resolve(".rows"));
        } catch (IOException e) {
            throw new ExplainJException("Cannot write to the output folder " + output + " (" + e.getMessage() + ").");
        }
        List<ImageJob> todo = new ArrayList<>();
        int skipped = 0;
        for (ImageJob image : images) {
            if (done(output, image.name())) {
                skipped++;
            } else {
                todo.add(image);
            }
        }
        // Spark (de)serialises with the thread's context class loader: make it the one that loaded ExplainJ (inside
        // Fiji or a test harness it may be another), for the driver and the local executors it starts
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(ExplainSpark.class.getClassLoader());
        try {
            return runSpark(master, input, output, parquet, keys, images, todo, skipped);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Summary runSpark(String master, Path input, Path output, boolean parquet, Map<String, String> keys,
                                    List<ImageJob> images, List<ImageJob> todo, int skipped) {
        long t0 = System.nanoTime();
        SparkConf conf = new SparkConf().setAppName("ExplainJ").set("spark.ui.enabled", "false");
        if (master != null && !master.isBlank()) {
            conf.setMaster(master);
        }
        List<Outcome> outcomes;
        HashMap<String, String> explainKeys = new HashMap<>(keys);
        String out = output.toString();
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            if (todo.isEmpty()) {
                outcomes = List.of();
            } else {
                JavaRDD<ImageJob> rdd = sc.parallelize(todo, todo.size());
                outcomes = rdd.map(image -> explainOnExecutor(image, out, explainKeys)).collect();
            }
            List<Outcome> all = new ArrayList<>(outcomes);
            writeTables(output, images, all, parquet, sc);
        }
        List<String> failed = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.failure() != null) {
                failed.add(o.image());
            }
        }
        return new Summary(todo.size() - failed.size(), skipped, failed, (System.nanoTime() - t0) / 1_000_000);
    }

    /** On an executor: explains one image (the model comes from this JVM's cache) and keeps its rows. */
    private static Outcome explainOnExecutor(ImageJob job, String out, Map<String, String> keys) {
        System.setProperty("java.awt.headless", "true");
        Path output = Path.of(out);
        String image = job.image();
        try {
            ExplainRequest request = ExplainFolder.request(keys, "");
            ExplainFolder.ImageResult r = ExplainFolder.explainImage(job, output, request, null);
            Path rows = rowsFile(output, job.name());
            Files.createDirectories(rows.getParent());
            Path tmp = rows.resolveSibling("." + rows.getFileName() + ".tmp");
            Files.writeString(tmp, String.join("\n", r.rows()) + (r.rows().isEmpty() ? "" : "\n"),
                    StandardCharsets.UTF_8);
            Files.move(tmp, rows, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Outcome(image, job.name(), r.rows(), null);
        } catch (ExplainJException | IOException e) {
            return new Outcome(image, job.name(), List.of(), e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (RuntimeException e) {
            return new Outcome(image, job.name(), List.of(), "Unexpected error: " + e);
        }
    }

    /** Where an image's measurement rows are kept between runs. */
    private static Path rowsFile(Path output, String name) {
        return output.resolve(".rows").resolve(name + ".csv");
    }

    /** measurements.csv (every finished image, in input order), failures.csv, and Parquet when asked. */
    private static void writeTables(Path output, List<ImageJob> images, List<Outcome> outcomes, boolean parquet,
                                    JavaSparkContext sc) {
        StringBuilder csv = new StringBuilder(MeasurementTable.header()).append('\n');
        List<List<String>> parsed = new ArrayList<>();
        for (ImageJob image : images) {
            Path rows = rowsFile(output, image.name());
            if (Files.isRegularFile(rows)) {
                try {
                    for (List<String> row : MeasurementTable.read(Files.readString(rows))) {
                        csv.append(MeasurementTable.line(row)).append('\n');
                        parsed.add(row);
                    }
                } catch (IOException e) {
                    throw new ExplainJException("Cannot read " + rows + ": " + e.getMessage());
                }
            }
        }
        StringBuilder failures = new StringBuilder(MeasurementTable.line(List.of("Image", "Message"))).append('\n');
        for (Outcome o : outcomes) {
            if (o.failure() != null) {
                failures.append(MeasurementTable.line(List.of(o.image(), o.failure()))).append('\n');
            }
        }
        try {
            writeText(output.resolve("measurements.csv"), csv.toString());
            writeText(output.resolve("failures.csv"), failures.toString());
        } catch (IOException e) {
            throw new ExplainJException("Cannot write the tables to " + output + ": " + e.getMessage());
        }
        if (parquet) {
            List<StructField> fields = new ArrayList<>();
            fields.add(DataTypes.createStructField("Image", DataTypes.StringType, false));
            fields.add(DataTypes.createStructField("Label", DataTypes.StringType, false));
            for (String c : MeasurementTable.columns()) {
                if (!c.equals("Image") && !c.equals("Label")) {
                    fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, false));
                }
            }
            List<Row> rows = new ArrayList<>();
            for (List<String> p : parsed) {
                Object[] v = new Object[fields.size()];
                v[0] = p.get(0);
                v[1] = p.get(1);
                for (int k = 2; k < fields.size(); k++) {
                    v[k] = Double.parseDouble(p.get(k));
                }
                rows.add(RowFactory.create(v));
            }
            SparkSession session = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
            Dataset<Row> df = session.createDataFrame(rows, new StructType(fields.toArray(new StructField[0])));
            df.coalesce(1).write().mode("overwrite").parquet(output.resolve("measurements.parquet").toString());
        }
    }

    private static void writeText(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Whether an image's outputs and rows are all in place (a finished image of an earlier run). */
    private static boolean done(Path output, String name) {
        return Files.isRegularFile(output.resolve(name + "-heatmap.tif"))
                && Files.isRegularFile(output.resolve(name + "-overlay.png"))
                && Files.isRegularFile(rowsFile(output, name));
    }

    private static String required(Map<String, String> keys, String key) {
        String v = keys.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + key + " is required. Usage: explain-spark --master local[2] "
                    + "--input DIR --output DIR --model FILE [--KEY VALUE]...");
        }
        return v;
    }
}
