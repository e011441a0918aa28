package unet.imagej;

import ij.ImagePlus;
import ij.gui.Plot;
import ij.gui.PlotWindow;

import java.awt.Color;
import java.util.Arrays;

/**
 * The training loss over iterations as an ij.gui.Plot: redrawn live (at most twice a second)
 * from the `train` progress notifications when windows can be shown, and available at the end
 * as an image (shown in batch mode too).
 */
public final class LossPlot implements ProgressListener {
    private static final long REDRAW_MILLIS = 500;

    private final String title;
    private final boolean live;
    private double[] iterations = new double[64];
    private double[] losses = new double[64];
    private int count;
    private long lastDraw;
    private PlotWindow window;

    /** @param live draw a window while training runs (needs a display) */
    public LossPlot(String title, boolean live) {
        this.title = title;
        this.live = live;
    }

    @Override
    public synchronized void progress(Progress progress) {
        if (Double.isNaN(progress.loss) || !"train".equals(progress.stage)) return;
        if (count == iterations.length) {
            iterations = Arrays.copyOf(iterations, count * 2);
            losses = Arrays.copyOf(losses, count * 2);
        }
        iterations[count] = progress.done;
        losses[count] = progress.loss;
        count++;
        long now = System.currentTimeMillis();
        if (live && now - lastDraw >= REDRAW_MILLIS) {
            lastDraw = now;
            draw(false);
        }
    }

    /** Number of loss values received. */
    public synchronized int size() {
        return count;
    }

    /** The plot of every loss value so far. */
    public synchronized Plot plot() {
        Plot plot = new Plot(title, "iteration", "loss");
        plot.setColor(Color.BLUE);
        plot.addPoints(Arrays.copyOf(iterations, count), Arrays.copyOf(losses, count), Plot.LINE);
        plot.setLimitsToFit(false);
        return plot;
    }

    /** Draws the final curve: updates the live window, or returns the plot as an image. */
    public synchronized ImagePlus finish() {
        if (live) {
            draw(true);
            return window != null ? window.getImagePlus() : null;
        }
        return count > 0 ? plot().getImagePlus() : null;
    }

    /** Shows or redraws the window on the event thread; {@code wait} blocks until it is drawn. */
    private void draw(boolean wait) {
        if (count == 0) return;
        Plot plot = plot();
        Runnable show = () -> {
            if (window == null || window.isClosed()) {
                window = plot.show();
            } else {
                window.drawPlot(plot);
            }
        };
        if (!wait || java.awt.EventQueue.isDispatchThread()) {
            java.awt.EventQueue.invokeLater(show);
            return;
        }
        try {
            java.awt.EventQueue.invokeAndWait(show);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.lang.reflect.InvocationTargetException e) {
            ij.IJ.log("U-Net: could not draw the loss plot: " + e.getCause());
        }
    }
}
