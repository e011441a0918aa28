package unet.imagej;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The options string of a macro call, {@code run("U-Net Train", "model=[/a b/m.unet] tta ...")},
 * split into keys and values the way ImageJ writes them: {@code key=value}, {@code key=[value with
 * spaces]}, or a bare {@code key} (a checked checkbox).
 *
 * Unlike ImageJ's {@code Macro.getValue}, a key matches only a whole key: {@code model=} is not
 * found inside {@code init_model=}, nor {@code labels=} inside {@code validation_labels=}, so the
 * order in which a script writes the keys does not matter.
 */
final class MacroOptions {
    /** Key (lower case) to value; a bare key maps to null. */
    private final Map<String, String> values = new LinkedHashMap<>();

    MacroOptions(String options) {
        String text = options == null ? "" : options;
        int at = 0;
        int length = text.length();
        while (at < length) {
            if (text.charAt(at) == ' ') {
                at++;
                continue;
            }
            int keyEnd = at;
            while (keyEnd < length && text.charAt(keyEnd) != ' ' && text.charAt(keyEnd) != '=') keyEnd++;
            String key = text.substring(at, keyEnd).toLowerCase(Locale.US);
            if (keyEnd == length || text.charAt(keyEnd) == ' ') {
                values.put(key, null);
                at = keyEnd;
                continue;
            }
            int valueStart = keyEnd + 1;
            int valueEnd;
            String value;
            if (valueStart < length && text.charAt(valueStart) == '[') {
                int close = text.indexOf(']', valueStart + 1);
                valueEnd = close < 0 ? length : close + 1;
                value = text.substring(valueStart + 1, close < 0 ? length : close);
            } else {
                valueEnd = text.indexOf(' ', valueStart);
                if (valueEnd < 0) valueEnd = length;
                value = text.substring(valueStart, valueEnd);
            }
            values.put(key, value);
            at = valueEnd;
        }
    }

    /** The keys, in the order written. */
    java.util.Set<String> keys() {
        return java.util.Collections.unmodifiableSet(values.keySet());
    }

    /** True when the key appears, bare or with a value. */
    boolean has(String key) {
        return values.containsKey(key);
    }

    /** The key's value ("" for {@code key=[]}), or {@code fallback} when the key is absent or bare. */
    String value(String key, String fallback) {
        String value = values.get(key);
        return value != null ? value : fallback;
    }

    /** A checkbox: on when the key is bare (as ImageJ records a checked box) or has any value but "false". */
    boolean flag(String key) {
        if (!values.containsKey(key)) return false;
        String value = values.get(key);
        return value == null || !value.equalsIgnoreCase("false");
    }
}
