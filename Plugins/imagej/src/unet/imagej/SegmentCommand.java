package unet.imagej;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.measure.ResultsTable;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "U-Net Segment": segments the current image (or every TIFF of a folder) with a trained model
 * and opens the probabilities, mask and instances with the input's calibration; the instances
 * get a distinct-colour LUT and their outlines go to the ROI Manager. On request the worker also
 * writes the objects as an ImageJ RoiSet ({@code rois}: {@code <stem>_rois.zip}, opened into the
 * ROI Manager instead of the plugin's own outlines) and as a table ({@code table}:
 * {@code <stem>_objects.csv}, opened as a results table of that name).
 *
 * Macro: {@code run("U-Net Segment", "model=/data/nuclei.unet output=/data/out");} plus optional
 * {@code folder=} (segment a folder instead), {@code tile_size=}, {@code memory_mb=}, {@code tta},
 * {@code keep_borders} (do not grow instances over the separating borders) and any of
 * {@code probabilities mask instances classes rois table} (none given: the first three, plus
 * {@code classes} with a model of more than two classes).
 *
 * With a model of more than two classes ({@code model_info}) the class map ({@code classes}:
 * {@code <stem>_classes.tif}) opens with a distinct-colour LUT, each ROI gets its object's class
 * as its ImageJ group and its class name as a name prefix ({@code nucleus:label-000012}), and the
 * Log line counts the objects per class by name.
 */
public final class SegmentCommand extends UNetCommand {
    static final String TITLE = "U-Net Segment";
    /** The worker's image outputs, opened as images; also the default when a macro names no output. */
    private static final String[] OUTPUTS = {"probabilities", "mask", "instances"};
    /** The class map, offered in the dialog; opened like the images above. */
    private static final String CLASSES = "classes";
    /** The worker's object outputs: a RoiSet zip and a CSV table (the entry's keys). */
    private static final String[] OBJECT_OUTPUTS = {"rois", "table"};

    private static volatile SegmentResult lastResult;

    /** What the last run produced: the worker's result and the images opened (for scripts and tests). */
    public static final class SegmentResult {
        public final JsonObject response;
        public final List<ImagePlus> images;
        public final int roisAdded;
        /** The ROIs read from the worker's {@code <stem>_rois.zip} (asked for with {@code rois}), in file order. */
        public final List<Roi> rois;
        /** The worker's {@code <stem>_objects.csv} (asked for with {@code table}), one row per object. */
        public final List<ResultsTable> tables;
        /** The model's classes K (model_info) and their names (background first; generated when the model has none). */
        public final int classes;
        public final List<String> classNames;

        SegmentResult(JsonObject response, List<ImagePlus> images, int roisAdded, List<Roi> rois,
                List<ResultsTable> tables, int classes, List<String> classNames) {
            this.classes = classes;
            this.classNames = Collections.unmodifiableList(classNames);
            this.response = response;
            this.images = Collections.unmodifiableList(images);
            this.roisAdded = roisAdded;
            this.rois = Collections.unmodifiableList(rois);
            this.tables = Collections.unmodifiableList(tables);
        }
    }

    public static SegmentResult lastResult() {
        return lastResult;
    }

    public SegmentCommand() {
        super(TITLE);
    }

    @Override
    void execute() throws WorkerException {
        ParameterForm form = new ParameterForm(TITLE);
        form.addMessage("Segments the current image, or every TIFF in 'Folder' if one is given.");
        form.addFile("model", CommandSupport.lastModel());
        form.addDirectory("folder", "");
        form.addDirectory("output", "");
        form.addNumber("tile_size", 0, "px output tile (0 = automatic)");
        form.addNumber("memory_mb", 0, "MB (0 = automatic)");
        form.addCheckbox("tta", false);
        form.addCheckbox("keep_borders", false);
        for (String output : OUTPUTS) form.addCheckbox(output, true);
        form.addCheckbox(CLASSES, false);
        for (String output : OBJECT_OUTPUTS) form.addCheckbox(output, false);
        form.setLabel("output", "Output folder (empty: a temporary folder)");
        form.setLabel("memory_mb", "Memory_MB");
        form.setLabel("tta", "TTA (test-time augmentation: average of 8 flips and rotations)");
        form.setLabel("keep_borders", "Keep_borders (do not grow objects over the borders between them)");
        form.setLabel("instances", "Instances (objects, also as outlines in the ROI Manager)");
        form.setLabel(CLASSES, "Classes (<name>_classes.tif, the class of each pixel; models of more than 2 classes)");
        form.setLabel("rois", "Rois (<name>_rois.zip, one polygon per object, into the ROI Manager)");
        form.setLabel("table", "Table (<name>_objects.csv: area, centroid, box per object)");
        if (!form.show()) return;

        String model = form.string("model");
        if (model.isEmpty()) throw new IllegalArgumentException("Choose a model file (model=...).");
        WorkerConnection connection = WorkerSession.connection();
        JsonObject modelParams = new JsonObject();
        modelParams.addProperty("model", new File(model).getAbsolutePath());
        JsonObject info = connection.request("model_info", modelParams, WorkerSession.SHORT_TIMEOUT_MILLIS);
        int classes = info.has("classes") && info.get("classes").isJsonPrimitive() ? info.get("classes").getAsInt() : 2;
        List<String> classNames = classNames(info, classes);
        JsonArray outputs = new JsonArray();
        for (String output : OUTPUTS) if (form.flag(output)) outputs.add(output);
        if (form.flag(CLASSES)) outputs.add(CLASSES);
        for (String output : OBJECT_OUTPUTS) if (form.flag(output)) outputs.add(output);
        if (outputs.size() == 0 && form.fromMacro()) {
            for (String output : OUTPUTS) outputs.add(output);
            if (classes > 2) outputs.add(CLASSES);
        }
        if (outputs.size() == 0) throw new IllegalArgumentException("Choose at least one output.");
        // The ROIs' classes come from the worker's table (label -> class): ask for it too.
        boolean tableForClasses = classes > 2 && form.flag("rois") && !form.flag("table");
        if (tableForClasses) outputs.add("table");

        ImagePlus current = null;
        List<File> inputs;
        File folder = form.string("folder").isEmpty() ? null : new File(form.string("folder"));
        if (folder != null) {
            inputs = ImageFiles.tiffsIn(folder);
            if (inputs.isEmpty()) throw new IllegalArgumentException("There are no TIFF files in " + folder + ".");
        } else {
            current = WindowManager.getCurrentImage();
            if (current == null) throw new IllegalArgumentException("Open an image first, or give a folder.");
            inputs = Collections.singletonList(ImageFiles.tiffOf(current, ImageFiles.temporaryFolder("unet-input")));
        }
        File outputFolder = form.string("output").isEmpty()
                ? ImageFiles.temporaryFolder("unet-output") : new File(form.string("output"));

        JsonObject params = new JsonObject();
        params.addProperty("model", new File(model).getAbsolutePath());
        JsonArray images = new JsonArray();
        for (File input : inputs) images.add(input.getAbsolutePath());
        params.add("images", images);
        params.addProperty("output_dir", outputFolder.getAbsolutePath());
        params.add("outputs", outputs);
        if (form.number("tile_size") > 0) params.addProperty("tile_size", (long) form.number("tile_size"));
        if (form.number("memory_mb") > 0) params.addProperty("memory_mb", (long) form.number("memory_mb"));
        params.addProperty("tta", form.flag("tta"));
        // The worker grows instances back over the separating borders unless told not to.
        if (form.flag("keep_borders")) params.addProperty("grow_instances", false);

        long start = System.currentTimeMillis();
        JsonObject response = new ProgressMonitor(TITLE, connection, null).run("segment", params);
        CommandSupport.rememberModel(new File(model).getAbsolutePath());

        List<ImagePlus> opened = new ArrayList<>();
        List<Roi> rois = new ArrayList<>();
        List<ResultsTable> tables = new ArrayList<>();
        int roisAdded = 0;
        for (JsonElement element : response.getAsJsonArray("outputs")) {
            JsonObject entry = element.getAsJsonObject();
            IJ.log(TITLE + ": " + describe(entry, classNames, tableForClasses));
            if (current == null) continue;
            roisAdded += openOutputs(entry, current.getCalibration(), opened, rois, tables, classNames,
                    tableForClasses);
        }
        String where = "outputs in " + outputFolder.getAbsolutePath();
        IJ.log(String.format(java.util.Locale.US, "%s: done in %.1f s, %s", TITLE,
                (System.currentTimeMillis() - start) / 1000.0, where));
        IJ.showStatus(TITLE + ": done, " + where);
        lastResult = new SegmentResult(response, opened, roisAdded, rois, tables, classes, classNames);
    }

    /**
     * The Log line of one input: the image, its object count, its pixel size as the worker read it
     * and, when the worker resampled it to the model's pixel size, the size the network saw.
     */
    static String describe(JsonObject entry) {
        return describe(entry, Collections.<String>emptyList(), false);
    }

    /**
     * As {@link #describe(JsonObject)}, with the objects per class by name for a model of more than
     * two classes ({@code 5 objects (nucleus 3, cell 2)}); {@code hiddenTable}: the table was asked
     * for the ROIs' classes only, so its file is not named.
     */
    static String describe(JsonObject entry, List<String> classNames, boolean hiddenTable) {
        StringBuilder line = new StringBuilder(entry.get("image").getAsString());
        if (entry.has("objects")) line.append(", ").append(entry.get("objects").getAsLong()).append(" objects");
        if (entry.has("objects_per_class") && entry.get("objects_per_class").isJsonArray()) {
            JsonArray counts = entry.getAsJsonArray("objects_per_class");
            if (!entry.has("objects")) {
                long total = 0;
                for (JsonElement count : counts) total += count.getAsLong();
                line.append(", ").append(total).append(" objects");
            }
            line.append(" (");
            for (int i = 0; i < counts.size(); i++) {
                if (i > 0) line.append(", ");
                line.append(className(classNames, i + 1)).append(" ").append(counts.get(i).getAsLong());
            }
            line.append(")");
        }
        if (entry.has("pixel_size") && entry.get("pixel_size").isJsonPrimitive()) {
            line.append(", ").append(ParameterForm.formatNumber(entry.get("pixel_size").getAsDouble()))
                    .append(" \u00b5m/pixel");
        }
        if (entry.has("network_size") && entry.get("network_size").isJsonArray()) {
            JsonArray size = entry.getAsJsonArray("network_size");
            line.append(", resampled to ").append(size.get(0).getAsLong()).append("x")
                    .append(size.get(1).getAsLong()).append(" for the model's pixel size");
        }
        for (String output : OBJECT_OUTPUTS) {
            if (hiddenTable && output.equals("table")) continue;
            if (entry.has(output)) line.append(", ").append(new File(entry.get(output).getAsString()).getName());
        }
        return line.toString();
    }

    /**
     * Opens the outputs of one input: its images, the worker's ROIs (into the ROI Manager, in place
     * of the plugin's own outlines of the instances) and its table. Returns the number of ROIs added.
     */
    private static int openOutputs(JsonObject entry, Calibration calibration, List<ImagePlus> opened,
            List<Roi> rois, List<ResultsTable> tables, List<String> classNames, boolean hiddenTable)
            throws WorkerException {
        int added = 0;
        for (String output : new String[] {OUTPUTS[0], OUTPUTS[1], OUTPUTS[2], CLASSES}) {
            if (!entry.has(output)) continue;
            ImagePlus image = ResultPresenter.open(entry.get(output).getAsString(), calibration);
            if (output.equals(CLASSES)) ResultPresenter.styleClasses(image);
            if (output.equals("instances")) {
                ResultPresenter.styleInstances(image);
                if (!entry.has("rois")) added = ResultPresenter.addOutlinesToRoiManager(image);
            }
            ResultPresenter.show(image);
            opened.add(image);
        }
        ResultsTable table = null;
        if (entry.has("table")) {
            table = hiddenTable ? ResultPresenter.readTable(entry.get("table").getAsString())
                    : ResultPresenter.openTable(entry.get("table").getAsString());
            if (!hiddenTable) tables.add(table);
        }
        if (entry.has("rois")) {
            List<Roi> read = ResultPresenter.readRoiSet(entry.get("rois").getAsString());
            if (entry.has("objects_per_class") && table != null) labelWithClasses(read, table, classNames);
            rois.addAll(read);
            added += ResultPresenter.addToRoiManager(read);
        }
        return added;
    }

    /** The names of classes 0..K-1: the model's, else "background", "class1", ... */
    static List<String> classNames(JsonObject info, int classes) {
        List<String> names = new ArrayList<>();
        JsonElement given = info.get("class_names");
        if (given != null && given.isJsonArray() && given.getAsJsonArray().size() == classes) {
            for (JsonElement name : given.getAsJsonArray()) names.add(name.getAsString());
            return names;
        }
        names.add("background");
        for (int k = 1; k < classes; k++) names.add(classes == 2 ? "foreground" : "class" + k);
        return names;
    }

    private static String className(List<String> names, int k) {
        return k >= 0 && k < names.size() ? names.get(k) : "class" + k;
    }

    /**
     * Gives each ROI (named {@code label-000012} or {@code page-0003-label-000012}) its object's
     * class from the table's {@code class} column: the ROI's group (ImageJ 1.52 and later) and a
     * name prefix {@code <class name>:}.
     */
    static void labelWithClasses(List<Roi> rois, ResultsTable table, List<String> classNames) {
        Map<String, Integer> classOf = new HashMap<>();
        boolean paged = table.columnExists("page");
        for (int row = 0; row < table.size(); row++) {
            long label = (long) table.getValue("label", row);
            long page = paged ? (long) table.getValue("page", row) : 0;
            classOf.put(page + "/" + label, (int) table.getValue("class", row));
        }
        Pattern name = Pattern.compile("(?:page-(\\d+)-)?label-(\\d+)");
        for (Roi roi : rois) {
            Matcher matcher = name.matcher(roi.getName() == null ? "" : roi.getName());
            if (!matcher.matches()) continue;
            long page = matcher.group(1) == null ? 0 : Long.parseLong(matcher.group(1));
            Integer k = classOf.get((paged ? page : 0) + "/" + Long.parseLong(matcher.group(2)));
            if (k == null) continue;
            if (k >= 1 && k <= 255) roi.setGroup(k);
            roi.setName(className(classNames, k) + ":" + roi.getName());
        }
    }
}
