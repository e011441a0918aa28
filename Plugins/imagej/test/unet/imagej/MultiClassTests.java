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
import ij.process.ShortProcessor;

import java.awt.Color;
import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
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

        checks.test("ROIs of the truth's objects rasterise by group and by name prefix to exactly the class image", () -> {
            ImageProcessor truth = IJ.openImage(labels).getProcessor();
            Roi[] grouped = truthRois(true);
            Roi[] named = truthRois(false);
            check(grouped.length >= 4, "several objects in the truth: " + grouped.length);
            for (Roi[] rois : new Roi[][] {grouped, named}) {
                int[] ids = LabelRasterizer.classIds(rois, NAMES);
                ImageProcessor raster = LabelRasterizer.rasterizeClasses(rois, ids, truth.getWidth(),
                        truth.getHeight(), 1, "raster").getProcessor();
                int differ = 0;
                for (int i = 0; i < truth.getPixelCount(); i++) if (raster.get(i) != truth.get(i)) differ++;
                checkEqual(0, differ, "pixels of the rasterised ROIs (" + rois[0].getName() + ", ...) unlike the truth");
            }
        });

        checks.test("U-Net Train from ROIs with groups (group g = class g), classes=3 without label_kind: "
                + "a 3-class model that segments", () -> {
            File fromGroups = trainFromRois(truthRois(true), "groups", " classes=3 class_names=[background,nucleus,cell]");
            checkSegments(fromGroups, "groups");
        });

        checks.test("U-Net Train from ROIs named <class>:label-n (as Segment names them), label_kind=classes: "
                + "a 3-class model that segments", () -> {
            File fromNames = trainFromRois(truthRois(false), "names",
                    " classes=3 label_kind=classes class_names=[background,nucleus,cell]");
            checkSegments(fromNames, "names");
        });

        checks.test("U-Net Train from ROIs with groups but two classes: one object per ROI, as without classes", () -> {
            Roi[] rois = truthRois(true);
            File twoClass = new File(folder, "rois-two.unet");
            Interpreter.batchMode = true;
            TrainCommand.setRoisWithoutDisplay(rois);
            try {
                ImagePlus input = IJ.openImage(image);
                input.setTitle("mixed-rois-two.tif");
                input.show();
                runCommand(TrainCommand.class, "image=" + input.getTitle() + " labels=[" + TrainCommand.ROI_MANAGER
                        + "] model=[" + twoClass + "] iterations=2 " + HeadlessPluginTest.TINY);
            } finally {
                TrainCommand.setRoisWithoutDisplay(null);
                Interpreter.batchMode = false;
            }
            check(twoClass.isFile(), "model written: " + twoClass);
            ImagePlus sent = sentLabels("mixed-rois-two-roi-labels.tif");
            checkEqual(ImagePlus.GRAY16, sent.getType(), "a 16-bit object label image sent");
            ImageProcessor expected = LabelRasterizer.rasterize(rois, sent.getWidth(), sent.getHeight(), 1, "expected")
                    .getProcessor();
            int differ = 0;
            for (int i = 0; i < expected.getPixelCount(); i++) if (sent.getProcessor().get(i) != expected.get(i)) differ++;
            checkEqual(0, differ, "pixels unlike ROI n = object n");
            checkEqual((double) rois.length, sent.getStatistics().max, "the last ROI's value");
            JsonObject params = new JsonObject();
            params.addProperty("model", twoClass.getPath());
            JsonObject info = WorkerSession.connection().request("model_info", params, 60_000);
            checkEqual(2, info.get("classes").getAsInt(), "model_info classes");
        });

        checks.test("U-Net Train from ROIs refuses a ROI of an unknown class name or a group >= classes, naming it", () -> {
            Roi[] rois = truthRois(false);
            rois[1].setName("mitochondrion:label-000002");
            String unknown = trainRefused(rois, "unknown");
            check(unknown.contains("ROI 2 'mitochondrion:label-000002'") && unknown.contains("'mitochondrion'")
                    && unknown.contains("background, nucleus, cell"),
                    "the error names the ROI, its prefix and the class names: " + unknown);
            rois = truthRois(true);
            rois[0].setGroup(3);
            String group = trainRefused(rois, "group");
            check(group.contains("ROI 1 '" + rois[0].getName() + "' is in group 3") && group.contains("0..2"),
                    "the error names the ROI and its group: " + group);
            rois = truthRois(true);
            rois[2].setGroup(0);
            rois[2].setName("object 3");
            String none = trainRefused(rois, "none");
            check(none.contains("ROI 3 'object 3'") && none.contains("no group"),
                    "a ROI without group or prefix is named: " + none);
        });
    }

    /**
     * One ROI per object of the truth (a 4-connected component of one class), larger objects
     * first so that an object inside another (in its outline's hole) lies on top. With
     * {@code groups}: group = class, named "object n"; else no group, named
     * {@code <class>:label-00000n} as U-Net Segment names its ROIs.
     */
    private Roi[] truthRois(boolean groups) {
        ImageProcessor classIds = IJ.openImage(labels).getProcessor();
        int width = classIds.getWidth();
        int height = classIds.getHeight();
        ShortProcessor objects = new ShortProcessor(width, height);
        List<Integer> classOf = new ArrayList<>();
        classOf.add(0);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < width * height; start++) {
            if (classIds.get(start) == 0 || objects.get(start) != 0) continue;
            int label = classOf.size();
            int k = classIds.get(start);
            classOf.add(k);
            objects.set(start, label);
            queue.add(start);
            while (!queue.isEmpty()) {
                int p = queue.poll();
                int x = p % width;
                int y = p / width;
                int[] neighbours = {x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1,
                    y < height - 1 ? p + width : -1};
                for (int q : neighbours) {
                    if (q >= 0 && objects.get(q) == 0 && classIds.get(q) == k) {
                        objects.set(q, label);
                        queue.add(q);
                    }
                }
            }
        }
        List<Roi> rois = InstanceOutlines.of(objects);
        for (Roi roi : rois) {
            int label = Integer.parseInt(roi.getName().substring("object-".length()));
            int k = classOf.get(label);
            if (groups) {
                roi.setGroup(k);
                roi.setName("object " + label);
            } else {
                roi.setName(NAMES.get(k) + ":" + String.format("label-%06d", label));
            }
        }
        rois.sort((a, b) -> Double.compare(b.getStatistics().pixelCount, a.getStatistics().pixelCount));
        return rois.toArray(new Roi[0]);
    }

    /** Trains a tiny model on the mixed image and {@code rois} as the ROI Manager's ROIs; checks model_info. */
    private File trainFromRois(Roi[] rois, String name, String classOptions) throws Exception {
        File trained = new File(folder, "rois-" + name + ".unet");
        Interpreter.batchMode = true;
        TrainCommand.setRoisWithoutDisplay(rois);
        try {
            ImagePlus input = IJ.openImage(image);
            input.setTitle("mixed-rois-" + name + ".tif");
            input.show();
            runCommand(TrainCommand.class, "image=" + input.getTitle() + " labels=[" + TrainCommand.ROI_MANAGER
                    + "] model=[" + trained + "] iterations=200 " + HeadlessPluginTest.TINY + classOptions
                    + " config=[{\"learning_rate\":0.003}]");
        } finally {
            TrainCommand.setRoisWithoutDisplay(null);
            Interpreter.batchMode = false;
        }
        check(trained.isFile(), "model written: " + trained);
        ImagePlus sent = sentLabels("mixed-rois-" + name + "-roi-classes.tif");
        checkEqual(ImagePlus.GRAY8, sent.getType(), "an 8-bit class image sent");
        ImageProcessor truth = IJ.openImage(labels).getProcessor();
        int differ = 0;
        for (int i = 0; i < truth.getPixelCount(); i++) if (sent.getProcessor().get(i) != truth.get(i)) differ++;
        checkEqual(0, differ, "pixels of the class image sent unlike the truth");
        JsonObject params = new JsonObject();
        params.addProperty("model", trained.getPath());
        JsonObject info = WorkerSession.connection().request("model_info", params, 60_000);
        checkEqual(3, info.get("classes").getAsInt(), "model_info classes");
        checkEqual("[\"background\",\"nucleus\",\"cell\"]", String.valueOf(info.get("class_names")),
                "model_info class_names");
        return trained;
    }

    /** Segments the mixed image with {@code trained}: a class map of ids 0..2 and objects of both classes counted. */
    private void checkSegments(File trained, String name) throws Exception {
        ImagePlus input = IJ.openImage(image);
        WindowManager.setTempCurrentImage(input);
        runCommand(SegmentCommand.class, "model=[" + trained + "] output=[" + new File(folder, "rois-" + name + "-out")
                + "] classes");
        SegmentCommand.SegmentResult result = SegmentCommand.lastResult();
        checkEqual(NAMES, result.classNames, "the model's class names");
        JsonObject entry = result.response.getAsJsonArray("outputs").get(0).getAsJsonObject();
        checkEqual(1, result.images.size(), "the class map opened");
        ImageProcessor map = result.images.get(0).getProcessor();
        int[] pixels = new int[3];
        for (int i = 0; i < map.getPixelCount(); i++) {
            check(map.get(i) <= 2, "class " + map.get(i) + " > 2");
            pixels[map.get(i)]++;
        }
        check(pixels[0] > 0 && pixels[1] + pixels[2] > 0, "background and foreground classes in the map: "
                + Arrays.toString(pixels));
        checkEqual(2, entry.getAsJsonArray("objects_per_class").size(), "objects_per_class: classes 1 and 2");
    }

    /** The label image U-Net Train wrote for the worker: {@code fileName} in its newest temporary unet-train folder. */
    static ImagePlus sentLabels(String fileName) {
        File newest = null;
        File[] folders = new File(System.getProperty("java.io.tmpdir")).listFiles();
        for (File candidate : folders == null ? new File[0] : folders) {
            File file = new File(candidate, fileName);
            if (candidate.getName().startsWith("unet-train") && file.isFile()
                    && (newest == null || file.lastModified() > newest.lastModified())) {
                newest = file;
            }
        }
        check(newest != null, "the label image sent to the worker: " + fileName);
        return IJ.openImage(newest.getPath());
    }

    /** Runs U-Net Train from {@code rois} that it must refuse before any worker call; returns the printed error. */
    private String trainRefused(Roi[] rois, String name) throws Exception {
        File refused = new File(folder, "rois-refused-" + name + ".unet");
        String printed;
        Interpreter.batchMode = true;
        TrainCommand.setRoisWithoutDisplay(rois);
        try {
            ImagePlus input = IJ.openImage(image);
            input.setTitle("mixed-refused-" + name + ".tif");
            input.show();
            printed = HeadlessPluginTest.captureStdout(() -> runCommand(TrainCommand.class, "image="
                    + input.getTitle() + " labels=[" + TrainCommand.ROI_MANAGER + "] model=[" + refused
                    + "] iterations=1 " + HeadlessPluginTest.TINY + " classes=3 class_names=[background,nucleus,cell]"));
        } finally {
            TrainCommand.setRoisWithoutDisplay(null);
            Interpreter.batchMode = false;
        }
        check(printed.contains("U-Net Train failed"), "the command failed: " + printed);
        check(!refused.exists(), "no model written");
        return printed;
    }

    private static void runCommand(Class<?> command, String options) {
        HeadlessPluginTest.runCommand(command, options);
    }
}
