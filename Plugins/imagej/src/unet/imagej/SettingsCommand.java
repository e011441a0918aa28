package unet.imagej;

import com.google.gson.JsonObject;
import ij.IJ;
import ij.plugin.PlugIn;

import java.io.File;

/**
 * "U-Net Settings": where the unet-worker executable is. Saves the path in ImageJ's preferences,
 * stops a running worker so the next command uses the new one, and checks that it answers.
 *
 * Macro: {@code run("U-Net Settings", "worker=/opt/unet/unet-worker");}
 */
public final class SettingsCommand implements PlugIn {
    static final String TITLE = "U-Net Settings";

    @Override
    public void run(String argument) {
        ParameterForm form = new ParameterForm(TITLE);
        form.addMessage("The unet-worker program. Looked for in this order:\n"
                + "  1. the environment variable " + WorkerLocator.ENVIRONMENT_VARIABLE + " (now: "
                + valueOrUnset(System.getenv(WorkerLocator.ENVIRONMENT_VARIABLE)) + ")\n"
                + "  2. the file chosen here (saved in ImageJ's preferences)\n"
                + "  3. a folder on PATH");
        form.addFile("worker", WorkerLocator.savedSetting());
        if (!form.show()) return;
        String path = form.string("worker");
        if (!path.isEmpty() && !new File(path).canExecute()) {
            IJ.error(TITLE, path + "\nis not an executable file.");
            return;
        }
        WorkerLocator.saveSetting(path);
        WorkerSession.shutdown();
        try {
            WorkerSession.connection();
            JsonObject info = WorkerSession.serverInfo();
            IJ.showStatus(TITLE + ": worker " + (info != null && info.has("version") ? info.get("version").getAsString() : "")
                    + " ready");
        } catch (WorkerException e) {
            CommandSupport.report(TITLE, e);
        }
    }

    private static String valueOrUnset(String value) {
        return value == null || value.isEmpty() ? "not set" : value;
    }
}
