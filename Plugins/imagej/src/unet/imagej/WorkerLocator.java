package unet.imagej;

import ij.Prefs;

import java.io.File;

/**
 * Finds the unet-worker executable: the UNET_WORKER environment variable, else the setting saved
 * by "U-Net Settings" (ImageJ preferences key {@value #PREFERENCE_KEY}), else a folder on PATH.
 */
public final class WorkerLocator {
    public static final String ENVIRONMENT_VARIABLE = "UNET_WORKER";
    public static final String PREFERENCE_KEY = "unet.worker";
    public static final String EXECUTABLE_NAME = "unet-worker";

    private WorkerLocator() {
    }

    /** Finds the worker from this process's environment and ImageJ's preferences. */
    public static File locate() throws WorkerException {
        return locate(System.getenv(ENVIRONMENT_VARIABLE), savedSetting(), System.getenv("PATH"));
    }

    /** The saved worker path, or "" when none was saved. */
    public static String savedSetting() {
        return Prefs.get(PREFERENCE_KEY, "");
    }

    /** Saves the worker path in ImageJ's preferences (written to IJ_Prefs.txt at once). */
    public static void saveSetting(String path) {
        Prefs.set(PREFERENCE_KEY, path == null ? "" : path.trim());
        Prefs.savePreferences();
    }

    /**
     * Finds the worker from explicit values (any may be null or empty).
     * A variable or setting that names a file that is not executable is an error, not skipped,
     * so a typo is reported instead of silently running another worker.
     * @throws WorkerException (NOT_STARTED) with a message that says how to fix it
     */
    public static File locate(String environmentValue, String savedValue, String pathValue) throws WorkerException {
        if (!isBlank(environmentValue)) {
            File file = new File(environmentValue.trim());
            if (isExecutable(file)) return file;
            throw notFound("The environment variable " + ENVIRONMENT_VARIABLE + " is set to\n  " + file
                    + "\nbut that is not an executable file.");
        }
        if (!isBlank(savedValue)) {
            File file = new File(savedValue.trim());
            if (isExecutable(file)) return file;
            throw notFound("The saved setting (Plugins > U-Net > U-Net Settings) names\n  " + file
                    + "\nbut that is not an executable file.");
        }
        if (!isBlank(pathValue)) {
            for (String folder : pathValue.split(File.pathSeparator)) {
                if (folder.isEmpty()) continue;
                File file = new File(folder, EXECUTABLE_NAME);
                if (isExecutable(file)) return file;
            }
        }
        throw notFound("The U-Net worker '" + EXECUTABLE_NAME + "' was not found: " + ENVIRONMENT_VARIABLE
                + " is not set, no location is saved, and no folder on PATH holds it.");
    }

    private static WorkerException notFound(String problem) {
        return new WorkerException(WorkerException.NOT_STARTED, problem + "\n\n" + HOW_TO_FIX);
    }

    /** The advice shown with every "not found" error. */
    public static final String HOW_TO_FIX = "To fix it, do one of these:\n"
            + "  - choose the unet-worker file in Plugins > U-Net > U-Net Settings (saved for next time);\n"
            + "  - start ImageJ with the environment variable " + ENVIRONMENT_VARIABLE + "=/path/to/unet-worker;\n"
            + "  - install unet-worker into a folder on PATH (e.g. 'make install' puts it in /usr/local/bin).\n"
            + "Build it from the U-Net worker sources with 'make build' (.build/release/unet-worker).";

    private static boolean isExecutable(File file) {
        return file.isFile() && file.canExecute();
    }

    private static boolean isBlank(String value) {
        return value == null || value.trim().isEmpty();
    }
}
