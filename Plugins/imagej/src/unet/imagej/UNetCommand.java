package unet.imagej;

import ij.plugin.PlugIn;

/**
 * What the U-Net menu commands share: ImageJ calls {@link #run}, the command does its work in
 * {@link #execute}, and any failure is reported the same way (error dialog or Log, macro stopped).
 */
abstract class UNetCommand implements PlugIn {
    private final String title;

    UNetCommand(String title) {
        this.title = title;
    }

    /** The menu label, also the title of dialogs and status messages. */
    final String title() {
        return title;
    }

    @Override
    public final void run(String argument) {
        try {
            execute();
        } catch (WorkerException | IllegalArgumentException e) {
            CommandSupport.report(title, e);
        }
    }

    /** Asks for the parameters (dialog or macro options), sends the request, shows the result. */
    abstract void execute() throws WorkerException;
}
