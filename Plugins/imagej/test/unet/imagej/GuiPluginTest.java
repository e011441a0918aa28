package unet.imagej;

import static unet.imagej.Checks.check;
import static unet.imagej.Checks.checkEqual;

import ij.Executer;
import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.MessageDialog;
import ij.gui.PlotWindow;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import ij.text.TextWindow;

import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Component;
import java.awt.Container;
import java.awt.Frame;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.io.File;
import java.util.Vector;
import java.util.function.Supplier;

/**
 * The installed plugin in a GUI ImageJ under Xvfb, driven as a user drives it: menu commands,
 * dialogs, the live loss plot, the Cancel button and the macro recorder.
 *
 * Only ImageJ's API is used here: the plugin is loaded from plugins/U_Net.jar by ImageJ's plugin
 * class loader (as in a user's ImageJ), so its classes are not on this test's class path.
 * Arguments: image, labels, work folder. Run by test/run-macro-test.sh under xvfb-run.
 */
public final class GuiPluginTest {
    private static final long TIMEOUT_MILLIS = 60_000;

    private final String image;
    private final String labels;
    private final File work;

    private GuiPluginTest(String image, String labels, File work) {
        this.image = image;
        this.labels = labels;
        this.work = work;
    }

    public static void main(String[] arguments) throws Exception {
        new ImageJ(ImageJ.NO_SHOW); // builds the menus from the plugins folder, as at start-up
        Checks checks = new Checks();
        new GuiPluginTest(arguments[0], arguments[1], new File(arguments[2])).register(checks);
        int status = checks.finish();
        System.out.println("# Log window:\n" + IJ.getLog());
        System.exit(status);
    }

    private void register(Checks checks) {
        File model = new File(work, "gui.unet");

        checks.test("U-Net Train from the menu with options: a live loss plot, the model path in the Log", () -> {
            ImagePlus truth = IJ.openImage(labels);
            truth.setTitle("truth");
            truth.show();
            ImagePlus input = IJ.openImage(image);
            input.show();
            IJ.run("U-Net Train", "image=" + input.getTitle() + " labels=truth model=[" + model
                    + "] iterations=3 base_channels=4 depth=2");
            check(model.isFile(), "model written");
            check(IJ.getLog().contains("U-Net Train: model saved to " + model.getAbsolutePath()), "model path logged");
            PlotWindow plot = waitFor("the loss plot window", () -> visible(PlotWindow.class, "U-Net Train loss"));
            check(plot.getPlot().getXValues().length >= 1, "the plot holds the loss");
            plot.close();
        });

        checks.test("the Cancel button of a running training sends cancel; the live plot is drawn meanwhile", () -> {
            Thread command = new Thread(() -> IJ.run("U-Net Train", "image=" + new File(image).getName()
                    + " labels=truth model=[" + new File(work, "cancelled.unet") + "] iterations=100000 "
                    + "base_channels=4 depth=2"));
            command.start();
            Button cancel = waitFor("the Cancel button", () -> button("U-Net Train", "Cancel"));
            waitFor("the live loss plot", () -> visible(PlotWindow.class, "U-Net Train loss"));
            long start = System.currentTimeMillis();
            cancel.dispatchEvent(new ActionEvent(cancel, ActionEvent.ACTION_PERFORMED, "Cancel"));
            command.join(30_000);
            check(!command.isAlive(), "the command returned after Cancel");
            check(System.currentTimeMillis() - start < 10_000, "cancelled within 10 s");
            check(IJ.getLog().contains("U-Net Train: cancelled"), "the cancellation is logged");
            waitFor("the progress window to close", () -> button("U-Net Train", "Cancel") == null ? "closed" : null);
            visible(PlotWindow.class, "U-Net Train loss").close();
        });

        checks.test("a worker error appears as an ImageJ error dialog, the message also in the Log", () -> {
            File missing = new File(work, "no-such-model.unet");
            Thread command = new Thread(() -> IJ.run("U-Net Segment", "model=[" + missing + "] output=["
                    + new File(work, "error-out") + "]"));
            command.start();
            waitFor("the error dialog", () -> visible(MessageDialog.class, "U-Net Segment"));
            check(IJ.getLog().contains("U-Net Segment failed: ") && IJ.getLog().contains(missing.getName()),
                    "the worker's message names the model: " + IJ.getLog());
            // OK pressed while the modal dialog is still entering its event loop can leave it up;
            // press it again while it is shown, as a user would.
            long deadline = System.currentTimeMillis() + 30_000;
            while (command.isAlive() && System.currentTimeMillis() < deadline) {
                MessageDialog shown = visible(MessageDialog.class, "U-Net Segment");
                if (shown != null) shown.actionPerformed(new ActionEvent(shown, ActionEvent.ACTION_PERFORMED, "OK"));
                command.join(250);
            }
            check(!command.isAlive(), "the command returned once the dialog was closed");
        });

        checks.test("U-Net Segment from its dialog is recorded as a macro call that replays", () -> {
            ImagePlus input = WindowManager.getImage(new File(image).getName());
            check(input != null, "the input is open");
            WindowManager.setCurrentWindow(input.getWindow());
            Recorder recorder = new Recorder(false);
            File output = new File(work, "gui-out");
            new Executer("U-Net Segment", input); // what a menu click does
            GenericDialog dialog = waitFor("the dialog", () -> visible(GenericDialog.class, "U-Net Segment"));
            Vector<?> texts = dialog.getStringFields();
            ((TextField) texts.get(0)).setText(model.getAbsolutePath()); // model
            ((TextField) texts.get(2)).setText(output.getAbsolutePath()); // output folder
            // tta, keep_borders, probabilities, mask, instances, classes, rois, table
            Vector<?> boxes = dialog.getCheckboxes();
            checkEqual(8, boxes.size(), "checkboxes");
            ((Checkbox) boxes.get(0)).setState(true);
            ((Checkbox) boxes.get(2)).setState(false);
            ((Checkbox) boxes.get(6)).setState(true);
            ((Checkbox) boxes.get(7)).setState(true);
            dialog.actionPerformed(new ActionEvent(dialog.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
            String stem = input.getTitle().replaceFirst("\\.tif$", "");
            waitFor("the instances", () -> WindowManager.getImage(stem + "_instances.tif"));
            check(new File(output, stem + "_mask.tif").isFile(), "mask written");
            check(!new File(output, stem + "_probabilities.tif").exists(), "probabilities were not asked for");
            TextWindow table = waitFor("the objects table", () -> visible(TextWindow.class, stem + "_objects.csv"));
            int rows = table.getResultsTable().size();
            check(rows >= 1, "a table of " + rows + " objects");
            // The table opens before the ROIs are read into the manager: wait for them.
            RoiManager manager = waitFor("the worker's ROIs in the ROI Manager, one per table row", () -> {
                RoiManager shown = RoiManager.getInstance();
                return shown != null && shown.getCount() == rows ? shown : null;
            });
            checkEqual(rows, manager.getCount(), "the worker's ROIs in the ROI Manager, one per table row");
            String line = waitFor("the recorded call", () -> recordedLine(recorder, "U-Net Segment"));
            System.out.println("# recorded: " + line);
            check(line.contains("model=" + model.getAbsolutePath()) && line.contains(" tta ")
                    && line.contains("mask instances rois table") && !line.contains("probabilities"),
                    "recorded with the dialog's keys: " + line);
            recorder.close();

            File replayed = new File(work, "replayed");
            ImagePlus mask = WindowManager.getImage(stem + "_mask.tif");
            mask.close();
            WindowManager.setCurrentWindow(input.getWindow());
            IJ.runMacro(line.replace(output.getAbsolutePath(), replayed.getAbsolutePath()));
            check(new File(replayed, stem + "_mask.tif").isFile(), "the replayed call wrote the mask");
            check(!new File(replayed, stem + "_probabilities.tif").exists(), "and no probabilities");
            check(new File(replayed, stem + "_rois.zip").isFile() && new File(replayed, stem + "_objects.csv").isFile(),
                    "and the ROIs and the table");
            ImagePlus again = WindowManager.getImage(stem + "_mask.tif");
            check(again != null, "the replayed call opened the mask");
            checkEqual(ImagePlus.GRAY8, again.getType(), "mask type");
            checkEqual(input.getWidth(), again.getWidth(), "mask width");
        });

        checks.test("one worker served every command of the session", () -> {
            checkEqual(1, occurrences(IJ.getLog(), "U-Net: using unet-worker"), "workers started");
        });
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) count++;
        return count;
    }

    /** The visible window of this type (a plot, a dialog, an IJ.error message) with this title, or null. */
    private static <T extends Window> T visible(Class<T> type, String title) {
        for (Window window : Window.getWindows()) {
            String name = window instanceof Frame ? ((Frame) window).getTitle()
                    : window instanceof java.awt.Dialog ? ((java.awt.Dialog) window).getTitle() : null;
            if (type.isInstance(window) && window.isVisible() && title.equals(name)) return type.cast(window);
        }
        return null;
    }

    /** The button with this label in the visible frame with this title (not an image window), or null. */
    private static Button button(String frameTitle, String label) {
        for (Window window : Window.getWindows()) {
            if (window instanceof Frame && window.isVisible() && frameTitle.equals(((Frame) window).getTitle())) {
                Button found = findButton((Container) window, label);
                if (found != null) return found;
            }
        }
        return null;
    }

    private static Button findButton(Container container, String label) {
        for (Component component : container.getComponents()) {
            if (component instanceof Button && label.equals(((Button) component).getLabel())) return (Button) component;
            if (component instanceof Container) {
                Button found = findButton((Container) component, label);
                if (found != null) return found;
            }
        }
        return null;
    }

    /** The recorder's line that runs this command, or null. */
    private static String recordedLine(Recorder recorder, String command) {
        for (String line : recorder.getText().split("\n")) {
            if (line.startsWith("run(\"" + command + "\"")) return line;
        }
        return null;
    }

    /** Polls until {@code probe} returns non-null; fails after a minute. */
    private static <T> T waitFor(String what, Supplier<T> probe) throws InterruptedException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            T value = probe.get();
            if (value != null) return value;
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
