// Opens TIFF files with ImageJ (headless) and prints what ImageJ sees, one line per file:
//   IJCHECK {"file":...,"width":...,"height":...,"bitDepth":...,"stackSize":...,
//            "channels":...,"slices":...,"frames":...,"unit":...,"pixelWidth":...,
//            "pixelHeight":...,"pixelDepth":...,"checksum":...,"values":[...]}
// or IJCHECK {"file":...,"error":"..."} when ImageJ cannot open it.
// "values" lists every pixel of every stack slice (slice-major, then row-major) as ImageJ reports
// it through ImageProcessor.getPixelValue (calibrated, so signed 16-bit shows its signed value),
// for files of at most 100000 pixels; "checksum" is their sum (in that order, as double).
// With --bits, values are printed as the int bits of the float (Float.floatToRawIntBits), exact.
// The marker keeps these lines apart from anything ImageJ itself prints.
//
// Run (Java 11+ single-file source launch):
//   java -cp /usr/share/java/ij.jar Tests/tools/ImageJReadCheck.java [--bits] file.tif...
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.process.ImageProcessor;

public class ImageJReadCheck {
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    boolean bits = false;
    for (String arg : args) {
      if (arg.equals("--bits")) { bits = true; continue; }
      System.out.println("IJCHECK " + describe(arg, bits));
    }
    System.exit(0);
  }

  static final long MAX_LISTED_PIXELS = 100000;

  static String describe(String path, boolean bits) {
    ImagePlus imp;
    try {
      imp = IJ.openImage(path);
    } catch (Throwable t) {
      return "{\"file\":" + quote(path) + ",\"error\":" + quote(t.toString()) + "}";
    }
    if (imp == null) {
      return "{\"file\":" + quote(path) + ",\"error\":\"ImageJ could not open the file\"}";
    }
    Calibration cal = imp.getCalibration();
    ImageStack stack = imp.getStack();
    StringBuilder values = new StringBuilder();
    boolean listed = (long) imp.getWidth() * imp.getHeight() * stack.getSize() <= MAX_LISTED_PIXELS;
    double checksum = 0;
    for (int s = 1; s <= stack.getSize(); s++) {
      ImageProcessor ip = stack.getProcessor(s);
      ip.setCalibrationTable(cal.getCTable());
      for (int y = 0; y < ip.getHeight(); y++) {
        for (int x = 0; x < ip.getWidth(); x++) {
          float v = ip.getPixelValue(x, y);
          checksum += v;
          if (!listed) continue;
          if (values.length() > 0) values.append(',');
          values.append(bits ? Integer.toString(Float.floatToRawIntBits(v)) : number(v));
        }
      }
    }
    return "{\"file\":" + quote(path)
        + ",\"width\":" + imp.getWidth()
        + ",\"height\":" + imp.getHeight()
        + ",\"bitDepth\":" + imp.getBitDepth()
        + ",\"stackSize\":" + imp.getStackSize()
        + ",\"channels\":" + imp.getNChannels()
        + ",\"slices\":" + imp.getNSlices()
        + ",\"frames\":" + imp.getNFrames()
        + ",\"unit\":" + quote(cal.getUnit())
        + ",\"pixelWidth\":" + cal.pixelWidth
        + ",\"pixelHeight\":" + cal.pixelHeight
        + ",\"pixelDepth\":" + cal.pixelDepth
        + ",\"checksum\":" + checksum
        + (listed ? ",\"values\":[" + values + "]" : "") + "}";
  }

  static String number(float v) {
    if (Float.isNaN(v) || Float.isInfinite(v)) return quote(Float.toString(v));
    return Float.toString(v);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
