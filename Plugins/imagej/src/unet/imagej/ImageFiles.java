package unet.imagej;

import ij.ImagePlus;
import ij.io.FileInfo;
import ij.io.FileSaver;
import ij.measure.Calibration;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Files the worker reads: TIFFs of open images, TIFFs in folders, temporary folders. */
public final class ImageFiles {
    private static final List<Path> TEMPORARY_FOLDERS = new ArrayList<>();

    private ImageFiles() {
    }

    /**
     * A TIFF holding the image's pixels and pixel size: its own file when it was opened from an
     * unchanged TIFF whose calibration it still has, else a copy saved into {@code folder} (any
     * type ImageJ opens becomes a TIFF this way; the hyperstack layout and ImageJ's calibration,
     * which the worker reads as the pixel size, travel in the resolution tags and the
     * ImageDescription). The image itself is not renamed.
     */
    public static File tiffOf(ImagePlus image, File folder) throws WorkerException {
        File original = originalTiff(image);
        if (original != null) return original;
        ImagePlus copy = new ImagePlus(image.getTitle(), image.getStack());
        copy.setDimensions(image.getNChannels(), image.getNSlices(), image.getNFrames());
        copy.setCalibration(image.getCalibration());
        File file = new File(folder, stem(image.getTitle()) + ".tif");
        boolean saved = copy.getStackSize() > 1
                ? new FileSaver(copy).saveAsTiffStack(file.getPath())
                : new FileSaver(copy).saveAsTiff(file.getPath());
        if (!saved) {
            throw new WorkerException(-32002, "Could not save '" + image.getTitle() + "' as a TIFF for the worker.",
                    null);
        }
        return file;
    }

    /**
     * The TIFF file the image was read from, if it still matches the image (pixels and pixel size:
     * Image > Properties changes the calibration without marking the image changed); else null.
     */
    static File originalTiff(ImagePlus image) {
        FileInfo info = image.getOriginalFileInfo();
        if (info == null || info.fileName == null || info.directory == null || image.changes) return null;
        if (!isTiffName(info.fileName) || !sameScale(image.getCalibration(), info)) return null;
        File file = new File(info.directory, info.fileName);
        return file.isFile() ? file : null;
    }

    /** True when the calibration's pixel size and unit are those the file stated (as ImageJ read them). */
    static boolean sameScale(Calibration calibration, FileInfo info) {
        Calibration file = new Calibration();
        file.setUnit(info.unit);
        if (info.unit != null && info.pixelWidth > 0) {
            file.pixelWidth = info.pixelWidth;
            file.pixelHeight = info.pixelHeight > 0 ? info.pixelHeight : info.pixelWidth;
        }
        return file.getUnit().equals(calibration.getUnit()) && close(file.pixelWidth, calibration.pixelWidth)
                && close(file.pixelHeight, calibration.pixelHeight);
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    }

    /** The TIFF files of a folder (.tif/.tiff, not hidden), sorted by name. */
    public static List<File> tiffsIn(File folder) throws WorkerException {
        File[] files = folder.listFiles((dir, name) -> !name.startsWith(".") && isTiffName(name));
        if (files == null) {
            throw new WorkerException(-32001, "Cannot read the folder " + folder + ".", null);
        }
        Arrays.sort(files, Comparator.comparing(File::getName));
        return new ArrayList<>(Arrays.asList(files));
    }

    static boolean isTiffName(String name) {
        String lower = name.toLowerCase(Locale.US);
        return lower.endsWith(".tif") || lower.endsWith(".tiff");
    }

    /** The title without its extension and with only file-name-safe characters. */
    public static String stem(String title) {
        String base = title.replaceFirst("\\.[A-Za-z0-9]{1,5}$", "");
        String safe = base.replaceAll("[^A-Za-z0-9._-]+", "_");
        return safe.isEmpty() ? "image" : safe;
    }

    /** A new empty folder, deleted with its contents when ImageJ exits. */
    public static synchronized File temporaryFolder(String prefix) throws WorkerException {
        try {
            Path folder = Files.createTempDirectory(prefix);
            if (TEMPORARY_FOLDERS.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(ImageFiles::deleteTemporaryFolders,
                        "unet temporary files"));
            }
            TEMPORARY_FOLDERS.add(folder);
            return folder.toFile();
        } catch (IOException e) {
            throw new WorkerException(-32002, "Cannot create a temporary folder: " + e.getMessage(), null);
        }
    }

    private static synchronized void deleteTemporaryFolders() {
        for (Path folder : TEMPORARY_FOLDERS) {
            File[] files = folder.toFile().listFiles();
            if (files != null) for (File file : files) file.delete();
            folder.toFile().delete();
        }
    }
}
