package unet.imagej;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.Locale;

/**
 * One `progress` notification: `request`, `stage`, `done`, `total` are always present;
 * `loss`, `eta_s` and the validation measures only where they apply (NaN when absent).
 *
 * Validation arrives as a `validate` stage whose `loss` and `foreground_iou` are measured on the
 * validation set, or as `validation_loss` / `validation_fg_iou` on another stage; both forms are read.
 */
public final class Progress {
    public final String request;
    public final String stage;
    public final long done;
    public final long total;
    public final double loss;
    public final double etaSeconds;
    /** Loss on the validation set, or NaN. */
    public final double validationLoss;
    /** Foreground IoU on the validation set, or NaN. */
    public final double validationIoU;
    public final JsonObject raw;

    Progress(JsonObject params) {
        this.raw = params;
        this.request = params.has("request") ? params.get("request").getAsString() : "";
        this.stage = params.has("stage") ? params.get("stage").getAsString() : "";
        this.done = longOr(params.get("done"), 0);
        this.total = longOr(params.get("total"), 0);
        this.loss = doubleOr(params.get("loss"), Double.NaN);
        this.etaSeconds = doubleOr(params.get("eta_s"), Double.NaN);
        boolean validating = isValidation();
        this.validationLoss = doubleOr(params.get("validation_loss"), validating ? loss : Double.NaN);
        double iou = doubleOr(params.get("validation_fg_iou"), Double.NaN);
        if (Double.isNaN(iou) && validating) iou = doubleOr(params.get("foreground_iou"), Double.NaN);
        this.validationIoU = iou;
    }

    /** True for the `validate` stage, whose `loss` is measured on the validation set. */
    public boolean isValidation() {
        return "validate".equals(stage);
    }

    private static long longOr(JsonElement element, long fallback) {
        return element != null && element.isJsonPrimitive() ? (long) element.getAsDouble() : fallback;
    }

    private static double doubleOr(JsonElement element, double fallback) {
        return element != null && element.isJsonPrimitive() ? element.getAsDouble() : fallback;
    }

    /** Fraction done in [0, 1], or 0 when the total is unknown. */
    public double fraction() {
        return total > 0 ? Math.min(1.0, Math.max(0.0, (double) done / total)) : 0.0;
    }

    /** Status-bar text such as "train 40/1000, loss 0.312, 2 min left". */
    public String describe() {
        StringBuilder text = new StringBuilder(stage).append(' ').append(done);
        if (total > 0) text.append('/').append(total);
        if (!Double.isNaN(loss) && !isValidation()) text.append(String.format(Locale.US, ", loss %.4g", loss));
        String validation = validationSummary();
        if (!validation.isEmpty()) text.append(", ").append(validation);
        if (!Double.isNaN(etaSeconds)) text.append(", ").append(formatDuration(etaSeconds)).append(" left");
        return text.toString();
    }

    /** "validation loss 0.2500, foreground IoU 0.812": the validation measures present, or "". */
    public String validationSummary() {
        StringBuilder text = new StringBuilder();
        if (!Double.isNaN(validationLoss)) text.append(String.format(Locale.US, "validation loss %.4g", validationLoss));
        if (!Double.isNaN(validationIoU)) {
            if (text.length() > 0) text.append(", ");
            text.append(String.format(Locale.US, "foreground IoU %.3f", validationIoU));
        }
        return text.toString();
    }

    /** "45 s", "3 min", "1 h 20 min". */
    public static String formatDuration(double seconds) {
        if (seconds < 90) return Math.round(seconds) + " s";
        long minutes = Math.round(seconds / 60);
        if (minutes < 90) return minutes + " min";
        return (minutes / 60) + " h " + (minutes % 60) + " min";
    }
}
