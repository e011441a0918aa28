package unet.imagej;

import static unet.imagej.Checks.check;
import static unet.imagej.Checks.checkEqual;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.macro.Interpreter;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.process.ImageProcessor;

import java.awt.Rectangle;
import java.awt.event.KeyEvent;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The plugin without a screen (-Djava.awt.headless=true) against the real worker named by
 * UNET_WORKER: trains a tiny network for a few iterations on a synthetic image, segments it,
 * shows a weight map, and checks outputs, progress, cancellation, errors and worker restarts.
 */
public final class HeadlessPluginTest {
    /** A tiny network so the whole run takes seconds. */
    static final String TINY = "base_channels=4 depth=2";

    private final File folder;
    private final AtomicInteger trainProgress = new AtomicInteger();
    private final AtomicInteger segmentProgress = new AtomicInteger();
    private String image;
    private String labels;
    private File model;

    private HeadlessPluginTest(File folder) {
        this.folder = folder;
    }

    public static void main(String[] arguments) throws Exception {
        String worker = System.getenv(WorkerLocator.ENVIRONMENT_VARIABLE);
        if (worker == null || !new File(worker).canExecute()) {
            System.out.println("Bail out! UNET_WORKER must name the built unet-worker (make build), not: " + worker);
            System.exit(2);
        }
        Checks checks = new Checks();
        PureLogicTests.register(checks);
        File folder = Files.createTempDirectory("unet-imagej-test").toFile();
        new HeadlessPluginTest(folder).register(checks);
        WorkerSession.shutdown();
        int status = checks.finish();
        deleteRecursively(folder);
        System.exit(status);
    }

    private void register(Checks checks) {
        checks.test("the worker starts and generates a synthetic image with labels", () -> {
            WorkerSession.addProgressListener(progress -> {
                if ("train".equals(progress.stage)) trainProgress.incrementAndGet();
                if ("segment".equals(progress.stage)) segmentProgress.incrementAndGet();
            });
            JsonObject params = new JsonObject();
            params.addProperty("kind", "nuclei");
            params.addProperty("output_dir", new File(folder, "data").getPath());
            params.addProperty("count", 1);
            params.addProperty("width", 64);
            params.addProperty("height", 64);
            params.addProperty("seed", 3);
            JsonObject result = WorkerSession.connection().request("generate", params, 60_000);
            image = result.getAsJsonArray("images").get(0).getAsString();
            labels = result.getAsJsonArray("labels").get(0).getAsString();
            check(new File(image).isFile() && new File(labels).isFile(), "generated files exist");
        });

        checks.test("U-Net Train from open images (batch-mode macro options) writes a model and reports progress", () -> {
            Interpreter.batchMode = true;
            try {
                ImagePlus input = IJ.openImage(image);
                ImagePlus truth = IJ.openImage(labels);
                truth.setTitle("truth");
                truth.show();
                input.show();
                model = new File(folder, "tiny.unet");
                runCommand(TrainCommand.class, "image=" + input.getTitle() + " labels=truth model=[" + model
                        + "] iterations=3 " + TINY);
            } finally {
                Interpreter.batchMode = false;
            }
            TrainCommand.TrainResult result = TrainCommand.lastResult();
            check(result != null, "the command finished with a result");
            check(model.isFile() && model.length() > 0, "model written: " + model);
            checkEqual(model.getAbsolutePath(), result.response.get("model").getAsString(), "model path reported");
            check(trainProgress.get() >= 1, "train progress was reported");
            check(result.lossPlot.size() >= 1, "the loss plot received losses");
            checkEqual(3L, result.response.get("iterations").getAsLong(), "iterations run");
        });

        checks.test("U-Net Segment on the current image writes and opens three outputs with its calibration", () -> {
            ImagePlus input = IJ.openImage(image);
            Calibration calibration = input.getCalibration();
            calibration.pixelWidth = 0.5;
            calibration.pixelHeight = 0.5;
            calibration.setUnit("um");
            input.changes = true; // unsaved changes: the plugin must send a temporary copy
            WindowManager.setTempCurrentImage(input);
            File output = new File(folder, "segmented");
            runCommand(SegmentCommand.class, "model=[" + model + "] output=[" + output + "]");
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            check(result != null, "the command finished with a result");
            checkEqual(3, result.images.size(), "images opened");
            int[] types = {ImagePlus.GRAY32, ImagePlus.GRAY8, ImagePlus.GRAY16};
            String[] suffixes = {"_probabilities.tif", "_mask.tif", "_instances.tif"};
            for (int i = 0; i < 3; i++) {
                ImagePlus opened = result.images.get(i);
                checkEqual(types[i], opened.getType(), "type of " + opened.getTitle());
                checkEqual(64, opened.getWidth(), "width of " + opened.getTitle());
                checkEqual(64, opened.getHeight(), "height of " + opened.getTitle());
                checkEqual(0.5, opened.getCalibration().pixelWidth, "pixel width of " + opened.getTitle());
                checkEqual(calibration.getUnit(), opened.getCalibration().getUnit(), "unit of " + opened.getTitle());
                String stem = ImageFiles.stem(input.getTitle());
                ImagePlus file = IJ.openImage(new File(output, stem + suffixes[i]).getPath());
                check(file != null, "output file opens in ImageJ: " + stem + suffixes[i]);
                checkEqual(types[i], file.getType(), "type of the file " + file.getTitle());
            }
            ImagePlus instances = result.images.get(2);
            int colour = instances.getProcessor().getLut().getRGB(1) & 0xffffff;
            checkEqual(DistinctColors.color(1).getRGB() & 0xffffff, colour, "instances: distinct-colour LUT");
            checkEqual(0, result.roisAdded, "no ROI Manager without a display");
            check(segmentProgress.get() >= 1, "segment progress was reported");
            JsonObject entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            check(entry.has("pixel_size"), "the worker read a pixel size from the temporary TIFF: " + entry);
            checkEqual(0.5, entry.get("pixel_size").getAsDouble(), "pixel size (um) the worker read");
        });

        checks.test("U-Net Segment rois table: each ROI of the zip, read by ImageJ's RoiDecoder, covers exactly "
                + "its object's pixels; the CSV opens as a ResultsTable measuring them", () -> {
            ImagePlus input = IJ.openImage(image);
            check(ImageFiles.originalTiff(input) != null, "an unchanged TIFF is sent as it is");
            Calibration calibration = input.getCalibration();
            calibration.pixelWidth = 0.25;
            calibration.pixelHeight = 0.25;
            calibration.setUnit("micron");
            // Image > Properties changes the calibration without marking the image changed.
            check(!input.changes && ImageFiles.originalTiff(input) == null,
                    "a recalibrated image is sent as a copy carrying its new calibration");
            WindowManager.setTempCurrentImage(input);
            File output = new File(folder, "objects");
            runCommand(SegmentCommand.class, "model=[" + model + "] output=[" + output + "] rois table");
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            checkEqual(0, result.images.size(), "only rois and table were asked for: no images");
            JsonObject entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            checkEqual(0.25, entry.has("pixel_size") ? entry.get("pixel_size").getAsDouble() : null,
                    "the pixel size the worker read is the ImageJ calibration in um");
            String stem = ImageFiles.stem(input.getTitle());
            File zip = new File(output, stem + "_rois.zip");
            File csv = new File(output, stem + "_objects.csv");
            checkEqual(zip.getAbsolutePath(), entry.get("rois").getAsString(), "rois path");
            checkEqual(csv.getAbsolutePath(), entry.get("table").getAsString(), "table path");

            // The objects the ROIs and table describe: segment the same input for its instances.
            runCommand(SegmentCommand.class, "model=[" + model + "] output=[" + output + "] instances");
            ImagePlus instances = IJ.openImage(new File(output, stem + "_instances.tif").getPath());
            check(instances != null, "the instance image opens in ImageJ");
            ImageProcessor labels = instances.getProcessor();
            TreeMap<Integer, Integer> areas = new TreeMap<>();
            for (int i = 0; i < labels.getPixelCount(); i++) {
                int label = (int) labels.getf(i);
                if (label > 0) areas.merge(label, 1, Integer::sum);
            }
            long objects = SegmentCommand.lastResult().response.getAsJsonArray("outputs").get(0).getAsJsonObject()
                    .get("objects").getAsLong();
            check(objects >= 2, "the tiny model finds objects to compare: " + objects);
            checkEqual((int) objects, areas.size(), "labels in the instance image");

            List<Roi> rois = readRoiZip(zip);
            checkEqual(areas.size(), rois.size(), "one ROI per object");
            int row = 0;
            int withHoles = 0;
            for (int label : areas.keySet()) {
                Roi roi = rois.get(row++);
                checkEqual(String.format("label-%06d", label), roi.getName(), "ROI name, in label order");
                checkEqual(1, roi.getPosition(), "the ROI sits on page 1");
                boolean[] covered = outlineCover(labels, label);
                int pixels = 0;
                for (boolean on : covered) if (on) pixels++;
                if (pixels != areas.get(label)) withHoles++;
                checkEqual(0, differences(roi, covered, labels.getWidth(), labels.getHeight()),
                        "pixels where " + roi.getName() + " (" + roi.getBounds() + ") and its object differ");
                if (label == areas.firstKey()) {
                    Roi moved = (Roi) roi.clone();
                    moved.setLocation(roi.getBounds().x + 1, roi.getBounds().y);
                    check(differences(moved, covered, labels.getWidth(), labels.getHeight()) > 0,
                            "a ROI one pixel off is caught");
                }
            }
            System.out.println("# " + rois.size() + " ROIs compared with their objects, " + withHoles
                    + " of them with holes filled or in several parts");
            checkEqual(rois.size(), result.rois.size(), "the command read the same ROIs");
            for (int i = 0; i < rois.size(); i++) {
                checkEqual(rois.get(i).getName(), result.rois.get(i).getName(), "ROI " + i + " read by the command");
                checkEqual(rois.get(i).getBounds(), result.rois.get(i).getBounds(), "bounds of ROI " + i);
            }

            ResultsTable table = ResultsTable.open(csv.getPath());
            checkEqual(areas.size(), table.size(), "table rows, one per object");
            checkEqual(1, result.tables.size(), "the command opened the table");
            checkEqual(table.size(), result.tables.get(0).size(), "rows of the command's table");
            row = 0;
            for (int label : areas.keySet()) {
                checkEqual((double) label, table.getValue("label", row), "label of row " + row);
                checkEqual((double) areas.get(label), table.getValue("area_px", row), "area_px of label " + label);
                check(Math.abs(table.getValue("area_um2", row) - areas.get(label) * 0.0625) < 1e-9,
                        "area_um2 of label " + label + ": " + table.getValue("area_um2", row));
                double[] centroid = centroid(labels, label);
                check(Math.abs(table.getValue("centroid_x", row) - centroid[0]) < 1e-6
                        && Math.abs(table.getValue("centroid_y", row) - centroid[1]) < 1e-6,
                        "centroid of label " + label);
                row++;
            }
        });

        checks.test("U-Net Segment on a 2-slice stack without a file: one output page per slice, each ROI on its slice", () -> {
            ImagePlus single = IJ.openImage(image);
            ij.ImageStack stack = new ij.ImageStack(single.getWidth(), single.getHeight());
            stack.addSlice(single.getProcessor());
            stack.addSlice(single.getProcessor().duplicate());
            ImagePlus input = new ImagePlus("two slices", stack); // no file: sent as a temporary TIFF
            WindowManager.setTempCurrentImage(input);
            runCommand(SegmentCommand.class, "model=[" + model + "] output=[" + new File(folder, "stack") + "] "
                    + "probabilities instances rois table");
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            checkEqual(2, result.images.size(), "the two image outputs asked for");
            for (ImagePlus opened : result.images) {
                checkEqual(2, opened.getStackSize(), "slices of " + opened.getTitle());
                checkEqual(64, opened.getWidth(), "width of " + opened.getTitle());
            }
            checkEqual("two_slices_probabilities.tif", result.images.get(0).getTitle(), "named after the title");
            long objects = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject().get("objects").getAsLong();
            checkEqual((int) objects, result.rois.size(), "one ROI per object of both slices");
            ImageProcessor secondPage = result.images.get(1).getStack().getProcessor(2);
            ResultsTable table = result.tables.get(0);
            checkEqual((int) objects, table.size(), "one row per object of both slices");
            int onSecond = 0;
            for (int i = 0; i < result.rois.size(); i++) {
                Roi roi = result.rois.get(i);
                int page = (int) table.getValue("page", i);
                checkEqual(page, roi.getPosition(), "the slice of " + roi.getName() + " is its table row's page");
                check(roi.getName().startsWith(String.format("page-%04d-label-", page)), "name " + roi.getName());
                if (page != 2) continue;
                onSecond++;
                int label = (int) table.getValue("label", i);
                Rectangle box = roi.getBounds();
                ImageProcessor mask = roi.getMask();
                int inside = 0;
                for (int y = 0; y < box.height; y++) {
                    for (int x = 0; x < box.width; x++) {
                        if ((mask == null || mask.get(x, y) != 0)
                                && (int) secondPage.getf(box.x + x, box.y + y) == label) inside++;
                    }
                }
                check(inside > 0 && inside <= table.getValue("area_px", i),
                        roi.getName() + " lies on its object of slice 2: " + inside + " pixels");
            }
            check(onSecond > 0 && onSecond < objects, "ROIs on both slices: " + onSecond + " of " + objects + " on 2");
        });

        checks.test("U-Net Segment on a folder writes every output and opens none", () -> {
            File[] pair = folderPair("segment");
            File output = new File(folder, "folder-out");
            runCommand(SegmentCommand.class, "model=[" + model + "] folder=[" + pair[0] + "] output=[" + output + "] mask");
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            checkEqual(0, result.images.size(), "no windows for a folder");
            checkEqual(1, result.response.getAsJsonArray("outputs").size(), "one entry per TIFF");
            ImagePlus mask = IJ.openImage(new File(output, "a_mask.tif").getPath());
            check(mask != null, "the mask of a.tif opens in ImageJ");
            checkEqual(ImagePlus.GRAY8, mask.getType(), "mask type");
        });

        checks.test("U-Net Train fine-tunes from an existing model (init_model); the Log names its pixel size", () -> {
            File[] pair = folderPair("finetune");
            File tuned = new File(folder, "tuned.unet");
            String printed = captureStdout(() -> runCommand(TrainCommand.class, "image_folder=[" + pair[0]
                    + "] label_folder=[" + pair[1] + "] model=[" + tuned + "] init_model=[" + model + "] iterations=2"
                    + " config=[{\"pixel_size\":0.5}]"));
            TrainCommand.TrainResult result = TrainCommand.lastResult();
            checkEqual(tuned.getAbsolutePath(), result.response.get("model").getAsString(), "model path");
            checkEqual(2L, result.response.get("iterations").getAsLong(), "iterations of this request");
            JsonObject params = new JsonObject();
            params.addProperty("model", tuned.getPath());
            JsonObject info = WorkerSession.connection().request("model_info", params, 60_000);
            checkEqual(4, info.get("base_channels").getAsInt(), "the initial model's architecture is kept");
            checkEqual(0.5, info.get("pixel_size").getAsDouble(), "the model's pixel size (config.pixel_size)");
            check(printed.contains("U-Net Train: model saved to " + tuned.getAbsolutePath())
                    && printed.contains(", 0.5 \u00b5m/pixel)"), "the Log names the model's pixel size: " + printed);
        });

        checks.test("U-Net Segment with a model of another pixel size: resampled by the worker, said in the Log, "
                + "outputs and ROIs on the input's grid", () -> {
            ImagePlus input = IJ.openImage(image);
            input.getCalibration().setUnit("um");
            input.getCalibration().pixelWidth = 0.25;
            input.getCalibration().pixelHeight = 0.25;
            WindowManager.setTempCurrentImage(input);
            File tuned = new File(folder, "tuned.unet"); // 0.5 um per pixel, from the test above
            String printed = captureStdout(() -> runCommand(SegmentCommand.class, "model=[" + tuned + "] output=["
                    + new File(folder, "resampled") + "] instances rois"));
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            JsonObject entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            checkEqual("[32,32]", String.valueOf(entry.get("network_size")), "the network saw the image at 0.5 um");
            check(printed.contains(", 0.25 \u00b5m/pixel, resampled to 32x32 for the model's pixel size"),
                    "the Log says so: " + printed);
            ImagePlus instances = result.images.get(0);
            checkEqual(64, instances.getWidth(), "instances on the input's grid");
            checkEqual(0.25, instances.getCalibration().pixelWidth, "with the input's calibration");
            checkEqual((int) entry.get("objects").getAsLong(), result.rois.size(), "one ROI per object");
            for (Roi roi : result.rois) {
                Rectangle box = roi.getBounds();
                check(box.x >= 0 && box.y >= 0 && box.x + box.width <= 64 && box.y + box.height <= 64,
                        roi.getName() + " inside the 64x64 input: " + box);
            }
        });

        checks.test("U-Net Weight Map opens a float map of the label image", () -> {
            ImagePlus truth = IJ.openImage(labels);
            WindowManager.setTempCurrentImage(truth);
            runCommand(WeightMapCommand.class, "labels=" + truth.getTitle() + " w0=10 sigma=5 output=["
                    + new File(folder, "weights.tif") + "]");
            ImagePlus weights = WeightMapCommand.lastResult();
            check(weights != null, "the command finished with a result");
            checkEqual(ImagePlus.GRAY32, weights.getType(), "type");
            checkEqual(64, weights.getWidth(), "width");
            ij.process.ImageStatistics stats = weights.getStatistics();
            check(stats.min > 0 && stats.max > stats.min, "positive weights that vary: " + stats.min + ".." + stats.max);
        });

        checks.test("U-Net Export writes a bioimage.io package of the model", () -> {
            File output = new File(folder, "package.zip");
            runCommand(ExportCommand.class, "model=[" + model + "] output=[" + output + "] name=[Tiny test U-Net]"
                    + " authors=[A. Person, B. Person] description=[]");
            JsonObject result = ExportCommand.lastResult();
            check(result != null, "the command finished with a result");
            checkEqual(output.getAbsolutePath(), result.get("output").getAsString(), "output path");
            checkEqual("bioimageio", result.get("format").getAsString(), "format");
            check(output.isFile() && output.length() > 1000, "the package was written: " + output.length() + " bytes");
            check(result.get("sha256").getAsString().matches("[0-9a-f]{64}"), "sha256: " + result.get("sha256"));
        });

        checks.test("a worker error reaches the user with the worker's message", () -> {
            WindowManager.setTempCurrentImage(IJ.openImage(image));
            String missing = new File(folder, "no-such-model.unet").getPath();
            String printed = captureStdout(() -> runCommand(SegmentCommand.class,
                    "model=[" + missing + "] output=[" + folder + "]"));
            check(printed.contains("U-Net Segment failed") && printed.contains("no-such-model.unet"),
                    "error names the missing model: " + printed);
            try {
                JsonObject params = new JsonObject();
                params.addProperty("model", missing);
                JsonArray images = new JsonArray();
                images.add(image);
                params.add("images", images);
                params.addProperty("output_dir", folder.getPath());
                WorkerSession.connection().request("segment", params, 60_000);
                check(false, "segmenting with a missing model must fail");
            } catch (WorkerException expected) {
                checkEqual(-32001, expected.code(), "error code for an unreadable file");
            }
        });

        checks.test("cancel stops a long training within seconds and leaves no partial model", () -> {
            File cancelled = new File(folder, "cancelled.unet");
            WorkerCall call = WorkerSession.connection().send("train", longTraining(cancelled));
            waitForProgress(call);
            long start = System.currentTimeMillis();
            WorkerSession.connection().cancel(call);
            try {
                call.await(30_000);
                check(false, "a cancelled training must answer with an error");
            } catch (WorkerException expected) {
                check(expected.isCancelled(), "answered -32800, got " + expected.code() + ": " + expected.getMessage());
            }
            check(System.currentTimeMillis() - start < 10_000, "cancelled within 10 s");
            check(!new File(cancelled.getPath() + ".tmp").exists(), "no temporary file left");
        });

        checks.test("Esc during U-Net Train sends cancel: the command ends within seconds and says so", () -> {
            File[] pair = folderPair("escape");
            File escaped = new File(folder, "escaped.unet");
            TrainCommand.TrainResult before = TrainCommand.lastResult();
            int progressBefore = trainProgress.get();
            Thread command = new Thread(() -> runCommand(TrainCommand.class, "image_folder=[" + pair[0]
                    + "] label_folder=[" + pair[1] + "] model=[" + escaped + "] iterations=100000 " + TINY));
            String printed = captureStdout(() -> {
                command.start();
                long deadline = System.currentTimeMillis() + 60_000;
                while (trainProgress.get() == progressBefore && command.isAlive()
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                check(command.isAlive(), "the training was still running when Esc was pressed");
                long start = System.currentTimeMillis();
                IJ.setKeyDown(KeyEvent.VK_ESCAPE); // what ImageJ does when the user presses Esc
                command.join(30_000);
                check(!command.isAlive(), "the command returned after Esc");
                check(System.currentTimeMillis() - start < 10_000, "cancelled within 10 s");
            });
            check(printed.contains("U-Net Train: cancelled"), "the cancellation is reported: " + printed);
            check(TrainCommand.lastResult() == before, "a cancelled training leaves no result");
            check(!IJ.escapePressed(), "Esc is reset for the next command");
            check(!new File(escaped.getPath() + ".tmp").exists(), "no temporary file left");
        });

        checks.test("U-Net Train sends a validation folder pair (validated, or the field is named)", () -> {
            File[] pair = folderPair("train");
            File[] validation = folderPair("validation");
            File validated = new File(folder, "validated.unet");
            TrainCommand.TrainResult before = TrainCommand.lastResult();
            String printed = captureStdout(() -> runCommand(TrainCommand.class, "image_folder=[" + pair[0]
                    + "] label_folder=[" + pair[1] + "] validation_images=[" + validation[0] + "] validation_labels=["
                    + validation[1] + "] model=[" + validated + "] iterations=4 " + TINY
                    + " config=[{\"validate_every\":2}]"));
            TrainCommand.TrainResult result = TrainCommand.lastResult();
            if (result == before) {
                // A worker without validation answers -32602 naming the field: the request carried it.
                check(printed.contains("U-Net Train failed") && printed.contains("Parameter: validation"),
                        "the worker's refusal names the validation field: " + printed);
            } else {
                check(validated.isFile(), "model written");
                check(result.lossPlot.validationSize() >= 1, "validation losses plotted");
            }
        });

        checks.test("U-Net Train keeps a w0 given in the config JSON (the dialog's field does not replace it)", () -> {
            File[] pair = folderPair("config-w0");
            String printed = captureStdout(() -> runCommand(TrainCommand.class, "image_folder=[" + pair[0]
                    + "] label_folder=[" + pair[1] + "] model=[" + new File(folder, "w0.unet") + "] iterations=2 w0=10 "
                    + TINY + " config=[{\"w0\":5000}]"));
            // 5000 is outside the worker's range: its refusal naming config.w0 shows the JSON's value arrived.
            check(printed.contains("U-Net Train failed") && printed.contains("Parameter: config.w0"),
                    "the worker refuses the JSON's w0: " + printed);
        });

        checks.test("a crashed worker is detected, reported and restarted", () -> {
            WorkerConnection first = WorkerSession.connection();
            WorkerCall call = first.send("train", longTraining(new File(folder, "crashed.unet")));
            waitForProgress(call);
            first.terminate();
            try {
                call.await(30_000);
                check(false, "a request of a killed worker must fail");
            } catch (WorkerException expected) {
                checkEqual(WorkerException.DIED, expected.code(), "error code");
                check(expected.getMessage().contains("stopped unexpectedly"), "clear message: " + expected.getMessage());
            }
            String printed = captureStdout(() -> {
                WorkerConnection second = WorkerSession.connection();
                check(second != first && second.isAlive(), "a new worker was started");
            });
            check(printed.contains("starting a new one"), "the restart is logged: " + printed);
            WindowManager.setTempCurrentImage(IJ.openImage(image));
            runCommand(SegmentCommand.class, "model=[" + model + "] output=[" + new File(folder, "again") + "] mask");
            checkEqual(1, SegmentCommand.lastResult().images.size(), "only the mask was asked for");
        });

        MultiClassTests.register(checks, folder);

        checks.test("shutting the session down ends the worker with status 0", () -> {
            WorkerConnection connection = WorkerSession.connection();
            WorkerSession.shutdown();
            checkEqual(0, connection.exitCode(), "exit code after shutdown");
        });
    }

    /** The ROIs of a RoiSet zip, each entry decoded by ImageJ's RoiDecoder, in entry order. */
    private static List<Roi> readRoiZip(File zip) throws Exception {
        List<Roi> rois = new ArrayList<>();
        try (ZipFile file = new ZipFile(zip)) {
            for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements();) {
                ZipEntry entry = entries.nextElement();
                check(entry.getName().endsWith(".roi"), "a .roi entry: " + entry.getName());
                byte[] bytes = new byte[(int) entry.getSize()];
                try (InputStream in = file.getInputStream(entry)) {
                    int at = 0;
                    for (int n = 0; n >= 0 && at < bytes.length; at += n) n = in.read(bytes, at, bytes.length - at);
                }
                Roi roi = new RoiDecoder(bytes, entry.getName()).getRoi();
                check(roi != null, "ImageJ decodes " + entry.getName());
                checkEqual(Roi.POLYGON, roi.getType(), "type of " + entry.getName());
                rois.add(roi);
            }
        }
        return rois;
    }

    /**
     * The pixels a label's outline covers: its first 4-connected part in raster order and that
     * part's holes (background not 8-connected to the outside), as the protocol describes.
     */
    private static boolean[] outlineCover(ImageProcessor labels, int label) {
        int width = labels.getWidth();
        int height = labels.getHeight();
        int first = 0;
        while ((int) labels.getf(first) != label) first++;
        boolean[] part = new boolean[width * height];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        part[first] = true;
        queue.add(first);
        while (!queue.isEmpty()) {
            int at = queue.poll();
            int x = at % width;
            int y = at / width;
            int[][] steps = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
            for (int[] step : steps) {
                int nx = x + step[0];
                int ny = y + step[1];
                if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                int next = ny * width + nx;
                if (!part[next] && (int) labels.getf(next) == label) {
                    part[next] = true;
                    queue.add(next);
                }
            }
        }
        // Outside: pixels of a one-pixel wider frame reachable from its border through non-part pixels.
        int w = width + 2;
        int h = height + 2;
        boolean[] outside = new boolean[w * h];
        outside[0] = true;
        queue.add(0);
        while (!queue.isEmpty()) {
            int at = queue.poll();
            int x = at % w;
            int y = at / w;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int nx = x + dx;
                    int ny = y + dy;
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int next = ny * w + nx;
                    boolean inner = nx >= 1 && ny >= 1 && nx <= width && ny <= height;
                    if (!outside[next] && !(inner && part[(ny - 1) * width + nx - 1])) {
                        outside[next] = true;
                        queue.add(next);
                    }
                }
            }
        }
        boolean[] covered = new boolean[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) covered[y * width + x] = !outside[(y + 1) * w + x + 1];
        }
        return covered;
    }

    /** Pixels where the ROI's mask (ImageJ's fill at pixel centres) and {@code covered} differ. */
    private static int differences(Roi roi, boolean[] covered, int width, int height) {
        Rectangle bounds = roi.getBounds();
        ImageProcessor mask = roi.getMask();
        int differ = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean inside = bounds.contains(x, y)
                        && (mask == null || mask.get(x - bounds.x, y - bounds.y) != 0);
                if (inside != covered[y * width + x]) differ++;
            }
        }
        for (int y = 0; y < bounds.height; y++) { // mask pixels beyond the image
            for (int x = 0; x < bounds.width; x++) {
                int ix = bounds.x + x;
                int iy = bounds.y + y;
                boolean beyond = ix < 0 || iy < 0 || ix >= width || iy >= height;
                if (beyond && (mask == null || mask.get(x, y) != 0)) differ++;
            }
        }
        return differ;
    }

    /** The mean of a label's pixel centres (ImageJ's coordinates: pixel (0, 0) has centre 0.5, 0.5). */
    private static double[] centroid(ImageProcessor labels, int label) {
        double sx = 0;
        double sy = 0;
        int n = 0;
        for (int y = 0; y < labels.getHeight(); y++) {
            for (int x = 0; x < labels.getWidth(); x++) {
                if ((int) labels.getf(x, y) != label) continue;
                sx += x + 0.5;
                sy += y + 0.5;
                n++;
            }
        }
        return new double[] {sx / n, sy / n};
    }

    private static void deleteRecursively(File file) {
        File[] children = file.listFiles();
        if (children != null) for (File child : children) deleteRecursively(child);
        if (!file.delete()) System.out.println("# could not delete " + file);
    }

    /** Two new folders holding a copy of the synthetic image and of its labels: {images, labels}. */
    private File[] folderPair(String name) throws Exception {
        File images = new File(folder, name + "-images");
        File labelFolder = new File(folder, name + "-labels");
        check(images.mkdirs() && labelFolder.mkdirs(), "folders for " + name);
        Files.copy(new File(image).toPath(), new File(images, "a.tif").toPath());
        Files.copy(new File(labels).toPath(), new File(labelFolder, "a.tif").toPath());
        return new File[] {images, labelFolder};
    }

    private JsonObject longTraining(File modelOut) {
        JsonObject params = new JsonObject();
        JsonArray images = new JsonArray();
        images.add(image);
        JsonArray labelList = new JsonArray();
        labelList.add(labels);
        params.add("images", images);
        params.add("labels", labelList);
        params.addProperty("model_out", modelOut.getPath());
        params.addProperty("iterations", 100_000);
        JsonObject config = new JsonObject();
        config.addProperty("base_channels", 4);
        config.addProperty("depth", 2);
        params.add("config", config);
        return params;
    }

    private static void waitForProgress(WorkerCall call) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (call.progressCount() == 0 && !call.isDone() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        check(call.progressCount() > 0, "the training reported progress before the test went on");
    }

    /** Runs a command as a macro's run("label", options) does: options bound to the calling thread. */
    static void runCommand(Class<?> command, String options) {
        Thread thread = Thread.currentThread();
        String name = thread.getName();
        thread.setName("Run$_test");
        Macro.setOptions(thread, options);
        try {
            IJ.runPlugIn(command.getName(), "");
        } finally {
            Macro.setOptions(thread, null);
            thread.setName(name);
        }
    }

    static String captureStdout(Checks.Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, "UTF-8"));
        try {
            body.run();
        } finally {
            System.setOut(original);
        }
        String text = bytes.toString("UTF-8");
        original.print(text);
        return text;
    }
}
