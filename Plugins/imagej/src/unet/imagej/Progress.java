package unet.imagej;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * One `progress` notification: `request`, `stage`, `done`, `total` are always present;
 * `loss` and `eta_s` only where they apply (NaN when absent).
 */
public final class Progress {
    public final String request;
    public final String stage;
    public final long done;
    public final long total;
    public final double loss;
    public final double etaSeconds;
    public final JsonObject raw;

    Progress(JsonObject params) {
        this.raw = params;
        this.request = params.has("request") ? params.get("request").getAsString() : "";
        this.stage = params.has("stage") ? params.get("stage").getAsString() : "";
        this.done = longOr(params.get("done"), 0);
        this.total = longOr(params.get("total"), 0);
        this.loss = doubleOr(params.get("loss"), Double.NaN);
        this.etaSeconds = doubleOr(params.get("eta_s"), Double.NaN);
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
        if (!Double.isNaN(loss)) text.append(String.format(java.util.Locale.US, ", loss %.4g", loss));
        if (!Double.isNaN(etaSeconds)) text.append(", ").append(formatDuration(etaSeconds)).append(" left");
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
