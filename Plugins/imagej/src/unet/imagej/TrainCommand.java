package unet.imagej;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.List;
import java.util.Locale;

/**
 * "U-Net Train": trains a model on an open image and its labels (a label image, or the ROIs of
 * the ROI Manager: one object per ROI, or with classes one class per ROI) or on a folder pair,
 * with a live loss plot.
 *
 * Macro: {@code run("U-Net Train", "image=cells.tif labels=cells-labels.tif model=/data/cells.unet iterations=500");}
 * or {@code image_folder=... label_folder=...} (TIFFs paired in name order) instead of
 * {@code image=}/{@code labels=}; {@code labels=[ROI Manager]} uses the ROI Manager. Optional:
 * {@code init_model=} (fine-tune), {@code max_seconds=}, {@code w0=}, {@code sigma=},
 * {@code base_channels=}, {@code depth=}, {@code config=[{"learning_rate":0.01}]},
 * {@code validation_images=} and {@code validation_labels=} (a folder pair for validation),
 * {@code classes=3 label_kind=classes class_names=[background,nucleus,cell]} (more than two
 * classes: the labels are class images, each value a class id 0..classes-1).
 *
 * From the ROI Manager with more than two classes (or {@code label_kind=classes}) each ROI gives
 * its class: its group g (ImageJ 1.52+) is class g; a ROI without a group is named
 * {@code <class name>:...} (one of the class names, as U-Net Segment names its ROIs:
 * {@code nucleus:label-000012}). The ROIs are rasterised to a class image sent with
 * {@code label_kind: "classes"}; a ROI whose class cannot be told is an error naming it.
 */
public final class TrainCommand extends UNetCommand {
    static final String TITLE = "U-Net Train";
    /** The labels choice that rasterises the ROI Manager's ROIs. */
    public static final String ROI_MANAGER = "ROI Manager";
    private static final String NO_IMAGE = "(no image open: use folders)";
    /** The worker's config.label_kind values; the first is its default. */
    private static final String[] LABEL_KINDS = {"instances", "classes"};

    private static volatile TrainResult lastResult;
    /** Without a display no ROI Manager can exist: scripts and tests hand their ROIs in here. */
    private static volatile Roi[] roisWithoutDisplay = new Roi[0];

    /** What the last run produced (for scripts and tests). */
    public static final class TrainResult {
        public final JsonObject response;
        public final LossPlot lossPlot;

        TrainResult(JsonObject response, LossPlot lossPlot) {
            this.response = response;
            this.lossPlot = lossPlot;
        }
    }

    public static TrainResult lastResult() {
        return lastResult;
    }

    /**
     * The ROIs {@code labels=[ROI Manager]} uses where there is no display (java.awt.headless),
     * in place of the ROI Manager's, which cannot exist there; ignored where a display exists.
     */
    public static void setRoisWithoutDisplay(Roi[] rois) {
        roisWithoutDisplay = rois == null ? new Roi[0] : rois.clone();
    }

    public TrainCommand() {
        super(TITLE);
    }

    @Override
    void execute() throws WorkerException {
        ImagePlus current = WindowManager.getCurrentImage();
        String[] titles = CommandSupport.openImageTitles(NO_IMAGE);
        String[] labelChoices = new String[titles.length + 1];
        labelChoices[0] = ROI_MANAGER;
        System.arraycopy(titles, 0, labelChoices, 1, titles.length);
        String defaultModel = CommandSupport.lastModel().isEmpty()
                ? new File(System.getProperty("user.home"), "unet-model.unet").getPath() : CommandSupport.lastModel();

        ParameterForm form = new ParameterForm(TITLE);
        form.addMessage("Training data: an open image with its labels (a label image or the ROI Manager),\n"
                + "or two folders of TIFFs paired in name order (used when both folders are given).\n"
                + "ROI Manager with classes > 2: each ROI's group g is class g, else its name <class name>:...\n"
                + "Validation: an optional folder pair, measured as training goes (red in the loss plot).\n"
                + "Config: more training options as JSON, e.g. {\"learning_rate\":0.01, \"optimizer\":\"adam\"};\n"
                + "a key given there (w0, sigma, base_channels, depth) wins over the field above.");
        form.addChoice("image", titles, current != null ? current.getTitle() : titles[0]);
        form.addChoice("labels", labelChoices, defaultLabels(titles, current));
        form.addDirectory("image_folder", "");
        form.addDirectory("label_folder", "");
        form.addDirectory("validation_images", "");
        form.addDirectory("validation_labels", "");
        form.addFile("model", defaultModel);
        form.addFile("init_model", "");
        form.addNumber("iterations", 0, "(0 = worker default)");
        form.addNumber("max_seconds", 0, "s time budget (0 = none)");
        form.addNumber("w0", 10, "border weight (Eq. 2)");
        form.addNumber("sigma", 5, "px border width (Eq. 2)");
        form.addNumber("base_channels", 0, "(0 = default; 64 in the paper)");
        form.addNumber("depth", 0, "(0 = default; 4 in the paper)");
        form.addNumber("classes", 0, "(0 = default 2; more than 2: class images, or ROIs by group or name)");
        form.addChoice("label_kind", LABEL_KINDS, LABEL_KINDS[0]);
        form.addString("class_names", "");
        form.addString("config", "");
        form.setLabel("label_kind", "Label_kind (instances: one value per object; classes: class ids)");
        form.setLabel("class_names", "Class_names (comma-separated, background first; optional)");
        form.setLabel("validation_images", "Validation_images (folder, optional)");
        form.setLabel("validation_labels", "Validation_labels (folder)");
        form.setLabel("model", "Model (file to write)");
        form.setLabel("init_model", "Init_model (fine-tune; optional)");
        form.setLabel("w0", "w0");
        form.setLabel("config", "Config (JSON object, optional)");
        if (!form.show()) return;

        String model = form.string("model");
        if (model.isEmpty()) throw new IllegalArgumentException("Choose where to save the model (model=...).");
        JsonObject params = new JsonObject();
        JsonObject config = config(form);
        addTrainingData(form, params, config);
        params.addProperty("model_out", new File(model).getAbsolutePath());
        if (!form.string("init_model").isEmpty()) {
            params.addProperty("init_model", new File(form.string("init_model")).getAbsolutePath());
        }
        if (form.number("iterations") > 0) params.addProperty("iterations", (long) form.number("iterations"));
        if (form.number("max_seconds") > 0) params.addProperty("max_seconds", form.number("max_seconds"));
        params.add("config", config);
        String validationImages = form.string("validation_images");
        String validationLabels = form.string("validation_labels");
        if (!validationImages.isEmpty() || !validationLabels.isEmpty()) {
            params.add("validation", pairedFolders(validationImages, validationLabels,
                    "validation_images", "validation_labels"));
        }

        LossPlot lossPlot = new LossPlot(TITLE + " loss", Display.isInteractive());
        WorkerConnection connection = WorkerSession.connection();
        JsonObject response = new ProgressMonitor(TITLE, connection, lossPlot).run("train", params);
        lossPlot.finish();
        String saved = response.has("model") ? response.get("model").getAsString() : model;
        CommandSupport.rememberModel(saved);
        String validation = response.has("best_validation_loss")
                ? String.format(Locale.US, ", best validation loss %.4g", number(response, "best_validation_loss")) : "";
        // The model's pixel size (from config.pixel_size or the images' calibration), when known.
        String pixelSize = response.has("pixel_size") && response.get("pixel_size").isJsonPrimitive()
                ? ", " + ParameterForm.formatNumber(response.get("pixel_size").getAsDouble()) + " \u00b5m/pixel" : "";
        IJ.log(String.format(Locale.US, "%s: model saved to %s (%s iterations, loss %.4g%s, %.1f s%s)", TITLE, saved,
                text(response, "iterations"), number(response, "loss"), validation, number(response, "seconds"),
                pixelSize));
        IJ.showStatus(TITLE + ": model saved to " + saved);
        lastResult = new TrainResult(response, lossPlot);
    }

    /** The open image most likely to hold labels: a title with "label" or "mask", else another image. */
    private static String defaultLabels(String[] titles, ImagePlus current) {
        String other = ROI_MANAGER;
        for (String title : titles) {
            if (current != null && title.equals(current.getTitle())) continue;
            String lower = title.toLowerCase(Locale.US);
            if (lower.contains("label") || lower.contains("mask")) return title;
            if (other.equals(ROI_MANAGER) && !title.equals(NO_IMAGE)) other = title;
        }
        return other;
    }

    /**
     * Fills `images` and `labels`: from the folder pair if given, else from the open images. ROIs
     * rasterised to a class image set {@code config.label_kind} to "classes".
     */
    private static void addTrainingData(ParameterForm form, JsonObject params, JsonObject config)
            throws WorkerException {
        String imageFolder = form.string("image_folder");
        String labelFolder = form.string("label_folder");
        if (!imageFolder.isEmpty() || !labelFolder.isEmpty()) {
            JsonObject pairs = pairedFolders(imageFolder, labelFolder, "image_folder", "label_folder");
            params.add("images", pairs.get("images"));
            params.add("labels", pairs.get("labels"));
            return;
        }
        ImagePlus image = imageFromForm(form);
        File temporary = ImageFiles.temporaryFolder("unet-train");
        JsonArray images = new JsonArray();
        JsonArray labels = new JsonArray();
        images.add(ImageFiles.tiffOf(image, temporary).getAbsolutePath());
        labels.add(ImageFiles.tiffOf(labelImage(form.string("labels"), image, config), temporary).getAbsolutePath());
        params.add("images", images);
        params.add("labels", labels);
    }

    /**
     * {"images":[...],"labels":[...]} from two folders of TIFFs paired in name order.
     * @param imageKey the macro key of the image folder, named in errors (so is {@code labelKey})
     */
    private static JsonObject pairedFolders(String imageFolder, String labelFolder, String imageKey, String labelKey)
            throws WorkerException {
        if (imageFolder.isEmpty() || labelFolder.isEmpty()) {
            throw new IllegalArgumentException("Give both " + imageKey + " and " + labelKey + ".");
        }
        List<File> imageFiles = ImageFiles.tiffsIn(new File(imageFolder));
        List<File> labelFiles = ImageFiles.tiffsIn(new File(labelFolder));
        if (imageFiles.isEmpty() || imageFiles.size() != labelFiles.size()) {
            throw new IllegalArgumentException(imageKey + " and " + labelKey + " must hold the same number of TIFFs "
                    + "(at least one): " + imageFiles.size() + " images, " + labelFiles.size() + " labels.");
        }
        JsonArray images = new JsonArray();
        JsonArray labels = new JsonArray();
        for (File file : imageFiles) images.add(file.getAbsolutePath());
        for (File file : labelFiles) labels.add(file.getAbsolutePath());
        JsonObject pairs = new JsonObject();
        pairs.add("images", images);
        pairs.add("labels", labels);
        return pairs;
    }

    private static ImagePlus imageFromForm(ParameterForm form) {
        String title = form.string("image");
        if (title.equals(NO_IMAGE)) throw new IllegalArgumentException("Open an image, or give both folders.");
        return CommandSupport.imageTitled(title);
    }

    /**
     * The label image: an open image, or the ROI Manager's ROIs rasterised to one (one object per
     * ROI; with more than two classes or label_kind "classes", the ROIs' classes, see
     * {@link LabelRasterizer#classIds}, and {@code config.label_kind} set to "classes").
     */
    private static ImagePlus labelImage(String choice, ImagePlus image, JsonObject config) {
        if (!choice.equals(ROI_MANAGER)) {
            ImagePlus labels = CommandSupport.imageTitled(choice);
            if (labels.getType() == ImagePlus.COLOR_RGB || labels.getType() == ImagePlus.COLOR_256) {
                throw new IllegalArgumentException("'" + choice + "' is a colour image; labels must be a grey-level "
                        + "label image (0 = background, one value per object) or a mask.");
            }
            return labels;
        }
        Roi[] rois = GraphicsEnvironment.isHeadless() ? roisWithoutDisplay.clone()
                : ResultPresenter.roiManager().getRoisAsArray();
        if (rois.length == 0) {
            throw new IllegalArgumentException("The ROI Manager holds no ROIs: outline the objects and add them "
                    + "(press 't'), or choose a label image.");
        }
        int classes = configClasses(config);
        boolean classKind = config.has("label_kind") && config.get("label_kind").isJsonPrimitive()
                && LABEL_KINDS[1].equals(config.get("label_kind").getAsString());
        if (classes <= 2 && !classKind) {
            return LabelRasterizer.rasterize(rois, image.getWidth(), image.getHeight(), image.getStackSize(),
                    ImageFiles.stem(image.getTitle()) + "-roi-labels");
        }
        int[] classIds = LabelRasterizer.classIds(rois, roiClassNames(config, classes));
        config.addProperty("label_kind", LABEL_KINDS[1]);
        return LabelRasterizer.rasterizeClasses(rois, classIds, image.getWidth(), image.getHeight(),
                image.getStackSize(), ImageFiles.stem(image.getTitle()) + "-roi-classes");
    }

    /** config.classes (the dialog's field or the JSON's key); 2, the worker's default, when not given. */
    private static int configClasses(JsonObject config) {
        JsonElement classes = config.get("classes");
        if (classes == null) return 2;
        if (!classes.isJsonPrimitive() || !classes.getAsJsonPrimitive().isNumber()
                || classes.getAsDouble() != Math.rint(classes.getAsDouble())
                || classes.getAsDouble() < 2 || classes.getAsDouble() > 255) {
            throw new IllegalArgumentException("classes must be a whole number of 2..255, not " + classes + ".");
        }
        return classes.getAsInt();
    }

    /**
     * The class names the ROIs' name prefixes are matched against: config.class_names, else those
     * U-Net Segment gives a model without names (background, class1, class2, ...).
     */
    private static List<String> roiClassNames(JsonObject config, int classes) {
        JsonElement names = config.get("class_names");
        if (names != null && (!names.isJsonArray() || names.getAsJsonArray().size() != classes)) {
            throw new IllegalArgumentException("class_names must give " + classes + " names (one per class, "
                    + "background first), not " + names + ".");
        }
        JsonObject model = new JsonObject();
        if (names != null) model.add("class_names", names);
        return SegmentCommand.classNames(model, classes);
    }

    /** The `config` object: the advanced JSON text merged with the dialog's named fields (the JSON's own keys win). */
    private static JsonObject config(ParameterForm form) {
        JsonObject config = new JsonObject();
        String text = form.string("config");
        if (!text.isEmpty()) {
            try {
                JsonElement parsed = JsonParser.parseString(text);
                if (!parsed.isJsonObject()) throw new JsonParseException("not an object");
                config = parsed.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new IllegalArgumentException("config must be a JSON object such as {\"learning_rate\":0.01}, not: "
                        + text);
            }
        }
        // A key the JSON names itself wins over the dialog's field of the same name.
        if (!config.has("w0")) config.addProperty("w0", form.number("w0"));
        if (!config.has("sigma")) config.addProperty("sigma", form.number("sigma"));
        if (form.number("base_channels") > 0 && !config.has("base_channels")) {
            config.addProperty("base_channels", (long) form.number("base_channels"));
        }
        if (form.number("depth") > 0 && !config.has("depth")) config.addProperty("depth", (long) form.number("depth"));
        if (form.number("classes") > 0 && !config.has("classes")) {
            config.addProperty("classes", (long) form.number("classes"));
        }
        String labelKind = form.string("label_kind");
        if (!labelKind.isEmpty() && !labelKind.equals(LABEL_KINDS[0]) && !config.has("label_kind")) {
            config.addProperty("label_kind", labelKind);
        }
        JsonArray names = classNames(form.string("class_names"));
        if (names != null && !config.has("class_names")) config.add("class_names", names);
        return config;
    }

    /** "background, nucleus, cell" as a JSON array of trimmed names; null for an empty text. */
    static JsonArray classNames(String text) {
        if (text.trim().isEmpty()) return null;
        JsonArray names = new JsonArray();
        for (String name : text.split(",", -1)) names.add(name.trim());
        return names;
    }

    private static double number(JsonObject object, String key) {
        return object.has(key) && object.get(key).isJsonPrimitive() ? object.get(key).getAsDouble() : Double.NaN;
    }

    private static String text(JsonObject object, String key) {
        return object.has(key) ? object.get(key).getAsString() : "?";
    }
}
