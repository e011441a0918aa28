package unet.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.macro.Interpreter;

/** What every U-Net command does the same way: report failures, find images, remember the model. */
final class CommandSupport {
    /** Preferences key of the model file last trained or used, the default in the dialogs. */
    static final String LAST_MODEL_KEY = "unet.last_model";

    private CommandSupport() {
    }

    /**
     * Shows a failure: a cancelled request only in the status line and Log, anything else as an
     * ImageJ error dialog with the worker's own message (in a macro this also stops the macro).
     */
    static void report(String title, Exception failure) {
        if (failure instanceof WorkerException && ((WorkerException) failure).isCancelled()) {
            IJ.showStatus(title + ": cancelled");
            IJ.log(title + ": cancelled");
            if (IJ.isMacro()) Macro.abort();
            abortMacro();
            return;
        }
        String message = failure instanceof WorkerException
                ? ((WorkerException) failure).userMessage()
                : failure.getMessage() != null ? failure.getMessage() : failure.toString();
        IJ.log(title + " failed: " + message);
        if (IJ.getInstance() != null && Display.available()) {
            IJ.error(title, message); // also aborts a running macro
        } else {
            abortMacro(); // no ImageJ window (e.g. -batch): a modal dialog would wait forever
        }
    }

    /** Stops the macro that called the command, if any, so a script does not go on after a failure. */
    static void abortMacro() {
        Interpreter interpreter = Interpreter.getInstance();
        if (interpreter != null) interpreter.abortMacro();
    }

    /** The open image with this title, or an error naming it. */
    static ImagePlus imageTitled(String title) {
        ImagePlus image = WindowManager.getImage(title);
        ImagePlus current = WindowManager.getCurrentImage();
        if (image == null && current != null && current.getTitle().equals(title)) image = current;
        if (image == null) throw new IllegalArgumentException("There is no open image called '" + title + "'.");
        return image;
    }

    /** The titles of all open images, or one placeholder when none is open (a dialog needs a choice). */
    static String[] openImageTitles(String placeholder) {
        String[] titles = WindowManager.getImageTitles();
        return titles.length > 0 ? titles : new String[] {placeholder};
    }

    static String lastModel() {
        return Prefs.get(LAST_MODEL_KEY, "");
    }

    static void rememberModel(String path) {
        Prefs.set(LAST_MODEL_KEY, path);
    }
}
