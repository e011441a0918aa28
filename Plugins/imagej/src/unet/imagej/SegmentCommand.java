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
import java.util.List;

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
 * {@code probabilities mask instances rois table} (none given: the first three).
 */
public final class SegmentCommand extends UNetCommand {
    static final String TITLE = "U-Net Segment";
    /** The worker's image outputs, opened as images; also the default when a macro names no output. */
    private static final String[] OUTPUTS = {"probabilities", "mask", "instances"};
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

        SegmentResult(JsonObject response, List<ImagePlus> images, int roisAdded, List<Roi> rois,
                List<ResultsTable> tables) {
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
        for (String output : OBJECT_OUTPUTS) form.addCheckbox(output, false);
        form.setLabel("output", "Output folder (empty: a temporary folder)");
        form.setLabel("memory_mb", "Memory_MB");
        form.setLabel("tta", "TTA (test-time augmentation: average of 8 flips and rotations)");
        form.setLabel("keep_borders", "Keep_borders (do not grow objects over the borders between them)");
        form.setLabel("instances", "Instances (objects, also as outlines in the ROI Manager)");
        form.setLabel("rois", "Rois (<name>_rois.zip, one polygon per object, into the ROI Manager)");
        form.setLabel("table", "Table (<name>_objects.csv: area, centroid, box per object)");
        if (!form.show()) return;

        String model = form.string("model");
        if (model.isEmpty()) throw new IllegalArgumentException("Choose a model file (model=...).");
        JsonArray outputs = new JsonArray();
        for (String output : OUTPUTS) if (form.flag(output)) outputs.add(output);
        for (String output : OBJECT_OUTPUTS) if (form.flag(output)) outputs.add(output);
        if (outputs.size() == 0 && form.fromMacro()) for (String output : OUTPUTS) outputs.add(output);
        if (outputs.size() == 0) throw new IllegalArgumentException("Choose at least one output.");

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

        WorkerConnection connection = WorkerSession.connection();
        long start = System.currentTimeMillis();
        JsonObject response = new ProgressMonitor(TITLE, connection, null).run("segment", params);
        CommandSupport.rememberModel(new File(model).getAbsolutePath());

        List<ImagePlus> opened = new ArrayList<>();
        List<Roi> rois = new ArrayList<>();
        List<ResultsTable> tables = new ArrayList<>();
        int roisAdded = 0;
        for (JsonElement element : response.getAsJsonArray("outputs")) {
            JsonObject entry = element.getAsJsonObject();
            IJ.log(TITLE + ": " + describe(entry));
            if (current == null) continue;
            roisAdded += openOutputs(entry, current.getCalibration(), opened, rois, tables);
        }
        String where = "outputs in " + outputFolder.getAbsolutePath();
        IJ.log(String.format(java.util.Locale.US, "%s: done in %.1f s, %s", TITLE,
                (System.currentTimeMillis() - start) / 1000.0, where));
        IJ.showStatus(TITLE + ": done, " + where);
        lastResult = new SegmentResult(response, opened, roisAdded, rois, tables);
    }

    /**
     * The Log line of one input: the image, its object count, its pixel size as the worker read it
     * and, when the worker resampled it to the model's pixel size, the size the network saw.
     */
    static String describe(JsonObject entry) {
        StringBuilder line = new StringBuilder(entry.get("image").getAsString());
        if (entry.has("objects")) line.append(", ").append(entry.get("objects").getAsLong()).append(" objects");
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
            if (entry.has(output)) line.append(", ").append(new File(entry.get(output).getAsString()).getName());
        }
        return line.toString();
    }

    /**
     * Opens the outputs of one input: its images, the worker's ROIs (into the ROI Manager, in place
     * of the plugin's own outlines of the instances) and its table. Returns the number of ROIs added.
     */
    private static int openOutputs(JsonObject entry, Calibration calibration, List<ImagePlus> opened,
            List<Roi> rois, List<ResultsTable> tables) throws WorkerException {
        int added = 0;
        for (String output : OUTPUTS) {
            if (!entry.has(output)) continue;
            ImagePlus image = ResultPresenter.open(entry.get(output).getAsString(), calibration);
            if (output.equals("instances")) {
                ResultPresenter.styleInstances(image);
                if (!entry.has("rois")) added = ResultPresenter.addOutlinesToRoiManager(image);
            }
            ResultPresenter.show(image);
            opened.add(image);
        }
        if (entry.has("rois")) {
            List<Roi> read = ResultPresenter.readRoiSet(entry.get("rois").getAsString());
            rois.addAll(read);
            added += ResultPresenter.addToRoiManager(read);
        }
        if (entry.has("table")) {
            tables.add(ResultPresenter.openTable(entry.get("table").getAsString()));
        }
        return added;
    }
}
