// Writes TIFF fixtures with ImageJ itself (headless), with the pixel formula of
// make_tiff_fixtures.py: base = (page*97 + channel*31 + y*7 + x*3) % 251, where page counts
// ImageJ's stack positions and channel is 0 (each stack position is one page).
//   java -cp /usr/share/java/ij.jar Tests/tools/MakeImageJFixtures.java Tests/Fixtures/tiff
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ImageProcessor;

public class MakeImageJFixtures {
  static final int W = 20, H = 18;

  static int base(int page, int y, int x) { return (page * 97 + y * 7 + x * 3) % 251; }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    String out = args.length > 0 ? args[0] : "Tests/Fixtures/tiff";

    // A 16-bit hyperstack: 2 channels x 3 slices, values base*257, pixel 0.5 x 0.25 µm, z 2.0.
    ImagePlus hyper = IJ.createHyperStack("hyper", W, H, 2, 3, 1, 16);
    fill(hyper.getStack(), 16);
    Calibration c = hyper.getCalibration();
    c.pixelWidth = 0.5; c.pixelHeight = 0.25; c.pixelDepth = 2.0; c.setUnit("\u00B5m");
    IJ.saveAsTiff(hyper, out + "/imagej_hyperstack_c2z3_uint16.tif");

    // A 32-bit stack of 4 slices (values (base - 125) * 0.37), in mm.
    ImagePlus stack = IJ.createImage("stack", "32-bit black", W, H, 4);
    fill(stack.getStack(), 32);
    stack.getCalibration().pixelWidth = 3; stack.getCalibration().pixelHeight = 3;
    stack.getCalibration().setUnit("mm");
    IJ.saveAsTiff(stack, out + "/imagej_stack4_float32.tif");

    // An 8-bit time series of 3 frames.
    ImagePlus frames = IJ.createHyperStack("frames", W, H, 1, 1, 3, 8);
    fill(frames.getStack(), 8);
    IJ.saveAsTiff(frames, out + "/imagej_frames3_uint8.tif");
    System.exit(0);
  }

  static void fill(ImageStack stack, int bits) {
    for (int page = 0; page < stack.getSize(); page++) {
      ImageProcessor ip = stack.getProcessor(page + 1);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int b = base(page, y, x);
          if (bits == 32) ip.setf(x, y, (b - 125) * 0.37f);
          else if (bits == 16) ip.set(x, y, b * 257);
          else ip.set(x, y, b);
        }
      }
    }
  }
}
