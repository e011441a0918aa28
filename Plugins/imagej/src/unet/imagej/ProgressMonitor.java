package unet.imagej;

import com.google.gson.JsonObject;
import ij.IJ;

/**
 * Waits for a long request (train, segment) while showing its progress in ImageJ's progress bar
 * and status line, and sends `cancel` when the user presses Esc or the Cancel button. Without
 * windows (a batch-mode macro, no display) the progress also goes to the Log (stdout in -batch
 * mode): each stage's first and last report and one every {@value #LOG_EVERY_MILLIS} ms between.
 */
public final class ProgressMonitor implements ProgressListener {
    private static final long POLL_MILLIS = 100;
    static final long LOG_EVERY_MILLIS = 10_000;

    private final String title;
    private final WorkerConnection connection;
    private final ProgressListener extra;
    private volatile Progress latest;
    private volatile boolean cancelRequested;
    private volatile CancelWindow cancelWindow;
    private volatile String lastValidation = "";
    private final boolean logProgress = !Display.isInteractive();
    private String loggedStage = "";
    private long loggedAt;

    /**
     * @param title the command's name, shown in the status line
     * @param extra also receives each progress (e.g. a loss plot), or null
     */
    public ProgressMonitor(String title, WorkerConnection connection, ProgressListener extra) {
        this.title = title;
        this.connection = connection;
        this.extra = extra;
    }

    /**
     * Sends the request and returns its result once the worker answers.
     * @throws WorkerException the worker's error; {@link WorkerException#isCancelled()} after Esc/Cancel
     */
    public JsonObject run(String method, JsonObject params) throws WorkerException {
        IJ.resetEscape();
        IJ.showStatus(title + ": started");
        if (Display.isInteractive()) cancelWindow = CancelWindow.open(title, () -> cancelRequested = true);
        WorkerCall call = null;
        try {
            call = connection.send(method, params, this);
            while (true) {
                JsonObject result = call.await(POLL_MILLIS);
                if (result != null) return result;
                if (!cancelRequested && IJ.escapePressed()) cancelRequested = true;
                if (cancelRequested && !call.isDone()) {
                    IJ.showStatus(title + ": cancelling...");
                    connection.cancel(call);
                    cancelRequested = false;
                    IJ.resetEscape();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (call != null) connection.cancel(call);
            throw new WorkerException(WorkerException.CANCELLED, title + " was interrupted.");
        } finally {
            IJ.showProgress(1.0);
            if (cancelWindow != null) cancelWindow.close();
        }
    }

    /** The last progress notification received, or null. */
    public Progress latest() {
        return latest;
    }

    @Override
    public void progress(Progress progress) {
        latest = progress;
        // A validation's done/total count validation images, not the training: keep the bar.
        if (progress.total > 0 && !progress.isValidation()) IJ.showProgress(progress.fraction());
        // The last validation stays in view while training goes on.
        if (progress.isValidation()) lastValidation = progress.validationSummary();
        String described = progress.isValidation() || lastValidation.isEmpty()
                ? progress.describe() : progress.describe() + "; last " + lastValidation;
        IJ.showStatus(title + ": " + described + " (Esc to cancel)");
        if (cancelWindow != null) cancelWindow.setText(described);
        if (logProgress) logIfDue(progress);
        if (extra != null) extra.progress(progress);
    }

    private synchronized void logIfDue(Progress progress) {
        if ("load".equals(progress.stage)) return;
        long now = System.currentTimeMillis();
        boolean last = progress.total > 0 && progress.done >= progress.total;
        if (!progress.stage.equals(loggedStage) || last || now - loggedAt >= LOG_EVERY_MILLIS) {
            loggedStage = progress.stage;
            loggedAt = now;
            IJ.log(title + ": " + progress.describe());
        }
    }
}
