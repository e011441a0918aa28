package unet.imagej;

import ij.gui.Plot;
import ij.gui.PlotWindow;

import java.awt.Color;
import java.awt.EventQueue;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * The training loss over iterations as an ij.gui.Plot, redrawn live (at most twice a second) from
 * the `train` progress notifications when windows can be shown. With a validation set the
 * validation loss is a second curve, placed at the training iteration it was measured after.
 * Without a display (or in a batch-mode macro) nothing is shown; {@link #plot()} still holds
 * every value for scripts ({@code TrainCommand.lastResult().lossPlot}).
 */
public final class LossPlot implements ProgressListener {
    private static final long REDRAW_MILLIS = 500;
    private static final Color TRAINING_COLOR = Color.BLUE;
    private static final Color VALIDATION_COLOR = new Color(220, 60, 20);

    private final String title;
    private final boolean live;
    private final Series training = new Series();
    private final Series validation = new Series();
    private long lastIteration;
    private long lastDraw;
    private PlotWindow window;

    /** Growing (iteration, loss) pairs. */
    private static final class Series {
        double[] iterations = new double[64];
        double[] losses = new double[64];
        int count;

        void add(double iteration, double loss) {
            if (count == iterations.length) {
                iterations = Arrays.copyOf(iterations, count * 2);
                losses = Arrays.copyOf(losses, count * 2);
            }
            iterations[count] = iteration;
            losses[count] = loss;
            count++;
        }
    }

    /** @param live draw a window while training runs (needs a display) */
    public LossPlot(String title, boolean live) {
        this.title = title;
        this.live = live;
    }

    @Override
    public synchronized void progress(Progress progress) {
        boolean added = false;
        if ("train".equals(progress.stage)) {
            lastIteration = progress.done;
            if (!Double.isNaN(progress.loss)) {
                training.add(progress.done, progress.loss);
                added = true;
            }
        }
        if (!Double.isNaN(progress.validationLoss)) {
            validation.add(validationIteration(progress), progress.validationLoss);
            added = true;
        }
        long now = System.currentTimeMillis();
        if (added && live && now - lastDraw >= REDRAW_MILLIS) {
            lastDraw = now;
            draw(false);
        }
    }

    /** The iteration a validation belongs to: its own `iteration` field, else the last training progress. */
    private double validationIteration(Progress progress) {
        if (progress.raw.has("iteration") && progress.raw.get("iteration").isJsonPrimitive()) {
            return progress.raw.get("iteration").getAsDouble();
        }
        return "train".equals(progress.stage) ? progress.done : lastIteration;
    }

    /** Number of training loss values received. */
    public synchronized int size() {
        return training.count;
    }

    /** Number of validation loss values received. */
    public synchronized int validationSize() {
        return validation.count;
    }

    /** The plot of every loss value so far. */
    public synchronized Plot plot() {
        Plot plot = new Plot(title, "iteration", "loss");
        if (training.count > 0) {
            plot.setColor(TRAINING_COLOR);
            plot.addPoints(Arrays.copyOf(training.iterations, training.count),
                    Arrays.copyOf(training.losses, training.count), Plot.LINE);
        }
        if (validation.count > 0) {
            plot.setColor(VALIDATION_COLOR);
            plot.addPoints(Arrays.copyOf(validation.iterations, validation.count),
                    Arrays.copyOf(validation.losses, validation.count), Plot.CONNECTED_CIRCLES);
            plot.setColor(Color.BLACK);
            plot.addLegend("training\tvalidation");
        }
        plot.setLimitsToFit(false);
        return plot;
    }

    /** Draws the final curve into the live window (and waits until it is drawn). */
    public synchronized void finish() {
        if (live) draw(true);
    }

    /** Shows or redraws the window on the event thread; {@code wait} blocks until it is drawn. */
    private void draw(boolean wait) {
        if (training.count + validation.count == 0) return;
        Plot plot = plot();
        Runnable show = () -> {
            if (window == null || window.isClosed()) {
                window = plot.show();
            } else {
                window.drawPlot(plot);
            }
        };
        if (!wait || EventQueue.isDispatchThread()) {
            EventQueue.invokeLater(show);
            return;
        }
        try {
            EventQueue.invokeAndWait(show);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (InvocationTargetException e) {
            ij.IJ.log("U-Net: could not draw the loss plot: " + e.getCause());
        }
    }
}
