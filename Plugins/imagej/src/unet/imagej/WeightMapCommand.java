package unet.imagej;

import com.google.gson.JsonObject;
import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;

import java.io.File;

/**
 * "U-Net Weight Map": shows the loss weight map of the paper's Eq. 2 for a label image, so the
 * border weight w0 and width sigma can be checked on one's own data before training.
 *
 * Macro: {@code run("U-Net Weight Map", "labels=labels.tif w0=10 sigma=5");} with optional
 * {@code output=/data/weights.tif} (default: a temporary file).
 */
public final class WeightMapCommand extends UNetCommand {
    static final String TITLE = "U-Net Weight Map";

    private static volatile ImagePlus lastResult;

    /** The weight map opened by the last run (for scripts and tests). */
    public static ImagePlus lastResult() {
        return lastResult;
    }

    public WeightMapCommand() {
        super(TITLE);
    }

    @Override
    void execute() throws WorkerException {
        ImagePlus current = WindowManager.getCurrentImage();
        if (current == null) throw new IllegalArgumentException("Open a label image first.");
        ParameterForm form = new ParameterForm(TITLE);
        form.addMessage("Eq. 2 of the U-Net paper: w(x) = w_c(x) + w0 exp(-(d1(x) + d2(x))^2 / (2 sigma^2))");
        form.addChoice("labels", CommandSupport.openImageTitles(current.getTitle()), current.getTitle());
        form.addNumber("w0", 10, "");
        form.addNumber("sigma", 5, "px");
        form.addFile("output", "");
        form.setLabel("output", "Output file (empty: a temporary file)");
        if (!form.show()) return;

        ImagePlus labels = CommandSupport.imageTitled(form.string("labels"));
        File labelFile = ImageFiles.tiffOf(labels, ImageFiles.temporaryFolder("unet-labels"));
        File output = form.string("output").isEmpty()
                ? new File(ImageFiles.temporaryFolder("unet-weights"), ImageFiles.stem(labels.getTitle()) + "_weights.tif")
                : new File(form.string("output"));
        JsonObject params = new JsonObject();
        params.addProperty("labels", labelFile.getAbsolutePath());
        params.addProperty("output", output.getAbsolutePath());
        params.addProperty("w0", form.number("w0"));
        params.addProperty("sigma", form.number("sigma"));

        WorkerConnection connection = WorkerSession.connection();
        JsonObject response = new ProgressMonitor(TITLE, connection, null).run("weight_map", params);
        String written = response.has("output") ? response.get("output").getAsString() : output.getAbsolutePath();
        ImagePlus weights = ResultPresenter.open(written, labels.getCalibration());
        ResultPresenter.styleWeights(weights);
        ResultPresenter.show(weights);
        IJ.log(TITLE + ": " + written);
        lastResult = weights;
    }
}
