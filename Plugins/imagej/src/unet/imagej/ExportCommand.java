package unet.imagej;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ij.IJ;

import java.io.File;

/**
 * "U-Net Export": writes a trained model as a bioimage.io model package (a .zip with ONNX
 * weights and bioimageio.yaml) that deepImageJ installs (DeepImageJ Install Model) and runs.
 *
 * Macro: {@code run("U-Net Export", "model=/data/nuclei.unet output=/data/nuclei-unet.zip");}
 * plus optional {@code name=[Nuclei U-Net]}, {@code authors=[A. Person, B. Person]} (comma
 * separated) and {@code description=[...]}.
 */
public final class ExportCommand extends UNetCommand {
    static final String TITLE = "U-Net Export";

    private static volatile JsonObject lastResult;

    /** The worker's result of the last run (for scripts and tests). */
    public static JsonObject lastResult() {
        return lastResult;
    }

    public ExportCommand() {
        super(TITLE);
    }

    @Override
    void execute() throws WorkerException {
        ParameterForm form = new ParameterForm(TITLE);
        form.addMessage("Writes a bioimage.io model package (.zip) for deepImageJ and bioimage.io tools.");
        form.addFile("model", CommandSupport.lastModel());
        form.addFile("output", "");
        form.setLabel("output", "Output package (.zip)");
        form.addString("name", "U-Net segmentation (unet-worker)");
        form.addString("authors", "");
        form.setLabel("authors", "Authors (comma separated)");
        form.addString("description", "");
        if (!form.show()) return;

        String model = form.string("model");
        String output = form.string("output");
        if (model.isEmpty()) throw new IllegalArgumentException("Choose a model file (written by U-Net Train).");
        if (output.isEmpty()) throw new IllegalArgumentException("Choose where the package (.zip) goes.");
        JsonObject params = new JsonObject();
        params.addProperty("model", new File(model).getAbsolutePath());
        params.addProperty("output", new File(output).getAbsolutePath());
        if (!form.string("name").isEmpty()) params.addProperty("name", form.string("name"));
        if (!form.string("description").isEmpty()) params.addProperty("description", form.string("description"));
        JsonArray authors = new JsonArray();
        for (String author : form.string("authors").split(",")) {
            if (author.trim().isEmpty()) continue;
            JsonObject entry = new JsonObject();
            entry.addProperty("name", author.trim());
            authors.add(entry);
        }
        if (authors.size() > 0) params.add("authors", authors);

        WorkerConnection connection = WorkerSession.connection();
        JsonObject response = new ProgressMonitor(TITLE, connection, null).run("export", params);
        String written = response.has("output") ? response.get("output").getAsString() : output;
        IJ.log(TITLE + ": " + written + " (bioimage.io package, ONNX opset "
                + (response.has("onnx_opset") ? response.get("onnx_opset").getAsString() : "?") + ", sha256 "
                + (response.has("sha256") ? response.get("sha256").getAsString() : "?") + ")");
        IJ.showStatus(TITLE + ": " + written);
        lastResult = response;
    }
}
