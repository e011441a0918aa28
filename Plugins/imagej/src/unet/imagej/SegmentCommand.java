package unet.imagej;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.Calibration;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * "U-Net Segment": segments the current image (or every TIFF of a folder) with a trained model
 * and opens the probabilities, mask and instances with the input's calibration; the instances
 * get a distinct-colour LUT and their outlines go to the ROI Manager.
 *
 * Macro: {@code run("U-Net Segment", "model=/data/nuclei.unet output=/data/out");} plus optional
 * {@code folder=} (segment a folder instead), {@code tile_size=}, {@code memory_mb=}, {@code tta},
 * {@code keep_borders} (do not grow instances over the separating borders) and any of
 * {@code probabilities mask instances} (default: all three).
 */
public final class SegmentCommand extends UNetCommand {
    static final String TITLE = "U-Net Segment";
    private static final String[] OUTPUTS = {"probabilities", "mask", "instances"};

    private static volatile SegmentResult lastResult;

    /** What the last run produced: the worker's result and the images opened (for scripts and tests). */
    public static final class SegmentResult {
        public final JsonObject response;
        public final List<ImagePlus> images;
        public final int roisAdded;

        SegmentResult(JsonObject response, List<ImagePlus> images, int roisAdded) {
            this.response = response;
            this.images = Collections.unmodifiableList(images);
            this.roisAdded = roisAdded;
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
        form.setLabel("output", "Output folder (empty: a temporary folder)");
        form.setLabel("memory_mb", "Memory_MB");
        form.setLabel("tta", "TTA (test-time augmentation: average of 8 flips and rotations)");
        form.setLabel("keep_borders", "Keep_borders (do not grow objects over the borders between them)");
        form.setLabel("instances", "Instances (objects, also as outlines in the ROI Manager)");
        if (!form.show()) return;

        String model = form.string("model");
        if (model.isEmpty()) throw new IllegalArgumentException("Choose a model file (model=...).");
        JsonArray outputs = new JsonArray();
        for (String output : OUTPUTS) if (form.flag(output)) outputs.add(output);
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
        int rois = 0;
        for (JsonElement element : response.getAsJsonArray("outputs")) {
            JsonObject entry = element.getAsJsonObject();
            String objects = entry.has("objects") ? ", " + entry.get("objects").getAsLong() + " objects" : "";
            IJ.log(TITLE + ": " + entry.get("image").getAsString() + objects);
            if (current == null) continue;
            rois += openOutputs(entry, current.getCalibration(), opened);
        }
        String where = "outputs in " + outputFolder.getAbsolutePath();
        IJ.log(String.format(java.util.Locale.US, "%s: done in %.1f s, %s", TITLE,
                (System.currentTimeMillis() - start) / 1000.0, where));
        IJ.showStatus(TITLE + ": done, " + where);
        lastResult = new SegmentResult(response, opened, rois);
    }

    /** Opens the outputs of one input; returns the number of ROIs added. */
    private static int openOutputs(JsonObject entry, Calibration calibration, List<ImagePlus> opened)
            throws WorkerException {
        int rois = 0;
        for (String output : OUTPUTS) {
            if (!entry.has(output)) continue;
            ImagePlus image = ResultPresenter.open(entry.get(output).getAsString(), calibration);
            if (output.equals("instances")) {
                ResultPresenter.styleInstances(image);
                rois = ResultPresenter.addOutlinesToRoiManager(image);
            }
            ResultPresenter.show(image);
            opened.add(image);
        }
        return rois;
    }
}
