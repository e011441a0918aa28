package unet.imagej;

import static unet.imagej.Checks.check;
import static unet.imagej.Checks.checkEqual;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.macro.Interpreter;
import ij.measure.ResultsTable;
import ij.process.ImageProcessor;
import ij.process.LUT;

import java.awt.Color;
import java.io.File;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * More than two classes through the plugin (issue 14): the worker's "mixed" synthetic data
 * (background, nucleus, cell), a tiny 3-class model trained with U-Net Train's classes,
 * label_kind and class_names options, and U-Net Segment's class map, per-class Log counts and
 * ROIs grouped and named by class.
 */
final class MultiClassTests {
    private static final List<String> NAMES = Arrays.asList("background", "nucleus", "cell");

    private final File folder;
    private String image;
    private String labels;
    private File model;

    private MultiClassTests(File folder) {
        this.folder = folder;
    }

    static void register(Checks checks, File folder) {
        new MultiClassTests(folder).registerTests(checks);
    }

    private void registerTests(Checks checks) {
        checks.test("the worker generates 3-class \"mixed\" data (class ids 0..2)", () -> {
            JsonObject params = new JsonObject();
            params.addProperty("kind", "mixed");
            params.addProperty("output_dir", new File(folder, "mixed").getPath());
            params.addProperty("count", 1);
            params.addProperty("width", 96);
            params.addProperty("height", 96);
            params.addProperty("seed", 2);
            JsonObject result = WorkerSession.connection().request("generate", params, 60_000);
            image = result.getAsJsonArray("images").get(0).getAsString();
            labels = result.getAsJsonArray("labels").get(0).getAsString();
            checkEqual(3, result.get("classes").getAsInt(), "classes of mixed data");
            ImageProcessor classIds = IJ.openImage(labels).getProcessor();
            boolean[] seen = new boolean[256];
            for (int i = 0; i < classIds.getPixelCount(); i++) seen[classIds.get(i)] = true;
            check(seen[0] && seen[1] && seen[2], "the labels hold classes 0, 1 and 2");
            for (int v = 3; v < 256; v++) check(!seen[v], "no class id above 2, got " + v);
        });

        checks.test("U-Net Train with classes=3 label_kind=classes class_names=[...] writes a 3-class model", () -> {
            Interpreter.batchMode = true;
            try {
                ImagePlus input = IJ.openImage(image);
                ImagePlus truth = IJ.openImage(labels);
                truth.setTitle("mixed-classes");
                truth.show();
                input.show();
                model = new File(folder, "mixed.unet");
                runCommand(TrainCommand.class, "image=" + input.getTitle() + " labels=mixed-classes model=[" + model
                        + "] iterations=200 " + HeadlessPluginTest.TINY
                        + " classes=3 label_kind=classes class_names=[background, nucleus,cell]"
                        + " config=[{\"learning_rate\":0.003}]");
            } finally {
                Interpreter.batchMode = false;
            }
            check(model.isFile(), "model written: " + model);
            JsonObject params = new JsonObject();
            params.addProperty("model", model.getPath());
            JsonObject info = WorkerSession.connection().request("model_info", params, 60_000);
            checkEqual(3, info.get("classes").getAsInt(), "model_info classes");
            checkEqual("[\"background\",\"nucleus\",\"cell\"]", String.valueOf(info.get("class_names")),
                    "model_info class_names (trimmed)");
        });

        checks.test("U-Net Train without label_kind=classes refuses 3 classes, naming config.label_kind", () -> {
            File refused = new File(folder, "refused.unet");
            String printed;
            Interpreter.batchMode = true;
            try {
                ImagePlus input = IJ.openImage(image);
                ImagePlus truth = IJ.openImage(labels);
                truth.setTitle("mixed-classes-2");
                truth.show();
                input.show();
                printed = HeadlessPluginTest.captureStdout(() -> runCommand(TrainCommand.class, "image="
                        + input.getTitle() + " labels=mixed-classes-2 model=[" + refused + "] iterations=1 "
                        + HeadlessPluginTest.TINY + " classes=3"));
            } finally {
                Interpreter.batchMode = false;
            }
            check(printed.contains("U-Net Train failed") && printed.contains("config.label_kind"),
                    "the error names config.label_kind: " + printed);
            check(!refused.exists(), "no model written");
        });

        checks.test("U-Net Segment with a 3-class model: class map with a LUT, per-class Log counts, "
                + "ROIs grouped and named by class as in the table", () -> {
            ImagePlus input = IJ.openImage(image);
            WindowManager.setTempCurrentImage(input);
            String printed = HeadlessPluginTest.captureStdout(() -> runCommand(SegmentCommand.class, "model=["
                    + model + "] output=[" + new File(folder, "mixed-out") + "] instances classes rois table"));
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            checkEqual(3, result.classes, "the model's classes (model_info)");
            checkEqual(NAMES, result.classNames, "the model's class names");
            JsonObject entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            check(entry.has("classes") && new File(entry.get("classes").getAsString()).isFile(),
                    "the classes output was written: " + entry);
            checkEqual(2, result.images.size(), "instances and classes opened");
            ImagePlus classes = result.images.get(1);
            check(classes.getTitle().endsWith("_classes.tif"), "the class map: " + classes.getTitle());
            checkEqual(ImagePlus.GRAY8, classes.getType(), "uint8 class map");
            ImageProcessor map = classes.getProcessor();
            for (int i = 0; i < map.getPixelCount(); i++) check(map.get(i) <= 2, "class " + map.get(i) + " > 2");
            LUT lut = classes.getProcessor().getLut();
            checkEqual(DistinctColors.color(1).getRGB(), new Color(lut.getRGB(1)).getRGB(), "class 1's LUT colour");
            checkEqual(0, lut.getRGB(0) & 0xffffff, "background black");

            JsonArray perClass = entry.getAsJsonArray("objects_per_class");
            checkEqual(2, perClass.size(), "objects_per_class: classes 1 and 2");
            long nuclei = perClass.get(0).getAsLong();
            long cells = perClass.get(1).getAsLong();
            checkEqual(entry.get("objects").getAsLong(), nuclei + cells, "objects = sum of objects_per_class");
            check(nuclei + cells >= 1, "the tiny model finds objects: " + entry);
            check(printed.contains(entry.get("objects").getAsLong() + " objects (nucleus " + nuclei + ", cell "
                    + cells + ")"), "the Log counts the objects per class by name: " + printed);

            checkEqual(1, result.tables.size(), "the table asked for");
            ResultsTable table = result.tables.get(0);
            Map<Long, Integer> classOf = new HashMap<>();
            for (int row = 0; row < table.size(); row++) {
                classOf.put((long) table.getValue("label", row), (int) table.getValue("class", row));
            }
            checkEqual((int) (nuclei + cells), result.rois.size(), "one ROI per object");
            int[] perGroup = new int[3];
            for (Roi roi : result.rois) {
                String[] parts = roi.getName().split(":", 2);
                check(parts.length == 2 && parts[1].matches("label-\\d+"), "name <class>:label-n: " + roi.getName());
                Integer k = classOf.get(Long.parseLong(parts[1].substring("label-".length())));
                check(k != null && (k == 1 || k == 2), "the table has the ROI's object of class 1 or 2: " + roi.getName());
                checkEqual(k.intValue(), roi.getGroup(), "group of " + roi.getName() + " = the table's class");
                checkEqual(NAMES.get(k), parts[0], "name prefix of " + roi.getName());
                perGroup[k]++;
            }
            checkEqual(nuclei, (long) perGroup[1], "nucleus ROIs = objects_per_class[0]");
            checkEqual(cells, (long) perGroup[2], "cell ROIs = objects_per_class[1]");
        });

        checks.test("U-Net Segment with a 3-class model, macro without outputs: the class map is a default; "
                + "rois alone still get their classes", () -> {
            ImagePlus input = IJ.openImage(image);
            WindowManager.setTempCurrentImage(input);
            runCommand(SegmentCommand.class, "model=[" + model + "] output=[" + new File(folder, "mixed-default") + "]");
            SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
            JsonObject entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            check(entry.has("classes") && entry.has("probabilities") && entry.has("mask") && entry.has("instances"),
                    "default outputs with a 3-class model: " + entry);
            checkEqual(3, result.images.get(0).getNChannels() * result.images.get(0).getNSlices()
                    * result.images.get(0).getNFrames(), "3 probability planes");

            WindowManager.setTempCurrentImage(input);
            String printed = HeadlessPluginTest.captureStdout(() -> runCommand(SegmentCommand.class, "model=["
                    + model + "] output=[" + new File(folder, "mixed-rois") + "] rois"));
            result = SegmentCommand.lastResult();
            entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            checkEqual(0, result.tables.size(), "no table opened when not asked for");
            check(!printed.contains("_objects.csv"), "the table read for the classes is not announced: " + printed);
            JsonArray perClass = entry.getAsJsonArray("objects_per_class");
            int[] perGroup = new int[3];
            for (Roi roi : result.rois) {
                int k = roi.getGroup();
                check(k == 1 || k == 2, "ROI of class 1 or 2: " + roi.getName() + " group " + k);
                check(roi.getName().startsWith(NAMES.get(k) + ":"), "named by class: " + roi.getName());
                perGroup[k]++;
            }
            checkEqual(perClass.get(0).getAsLong(), (long) perGroup[1], "nucleus ROIs");
            checkEqual(perClass.get(1).getAsLong(), (long) perGroup[2], "cell ROIs");
        });
    }

    private static void runCommand(Class<?> command, String options) {
        HeadlessPluginTest.runCommand(command, options);
    }
}
