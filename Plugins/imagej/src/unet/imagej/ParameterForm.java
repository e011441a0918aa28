package unet.imagej;

import ij.Macro;
import ij.gui.GenericDialog;
import ij.util.Tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's parameters, read from macro options when a macro gave them (no dialog is built:
 * GenericDialog throws HeadlessException without a display) or else from a GenericDialog.
 *
 * Each parameter has a macro key such as {@code tile_size}; its dialog label is the key with a
 * capital first letter ("Tile_size", shown as "Tile size") or a label set with {@link #setLabel}
 * whose first word is the key. ImageJ's recorder writes a field's key as the first word of its
 * label, lower-cased, so it writes the same key that {@link #fromMacro()} reads: a recorded macro
 * replays exactly.
 */
final class ParameterForm {
    private enum Kind { FILE, DIRECTORY, STRING, NUMBER, CHECKBOX, CHOICE }

    private static final class Field {
        final String key;
        final Kind kind;
        final String defaultText;
        final String[] choices;
        final String unit;
        String label;

        Field(String key, Kind kind, String defaultText, String[] choices, String unit) {
            this.key = key;
            this.kind = kind;
            this.defaultText = defaultText;
            this.choices = choices;
            this.unit = unit;
            this.label = Character.toUpperCase(key.charAt(0)) + key.substring(1);
        }
    }

    private final String title;
    /** The macro's options, or null when run from the menu. */
    private final MacroOptions macroOptions;
    private final List<Field> fields = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    /** A form reading this thread's macro options (null when run from the menu). */
    ParameterForm(String title) {
        this(title, Macro.getOptions());
    }

    ParameterForm(String title, String macroOptions) {
        this.title = title;
        this.macroOptions = macroOptions == null ? null : new MacroOptions(macroOptions);
    }

    /** True when a macro supplied options, so no dialog is shown. */
    boolean fromMacro() {
        return macroOptions != null;
    }

    void addFile(String key, String defaultPath) {
        fields.add(new Field(key, Kind.FILE, defaultPath, null, null));
    }

    void addDirectory(String key, String defaultPath) {
        fields.add(new Field(key, Kind.DIRECTORY, defaultPath, null, null));
    }

    void addString(String key, String defaultText) {
        fields.add(new Field(key, Kind.STRING, defaultText, null, null));
    }

    void addNumber(String key, double defaultValue, String unit) {
        fields.add(new Field(key, Kind.NUMBER, formatNumber(defaultValue), null, unit));
    }

    /** A checkbox; in a macro it is true when its key appears (as ImageJ records it) or is "=true". */
    void addCheckbox(String key, boolean defaultValue) {
        fields.add(new Field(key, Kind.CHECKBOX, Boolean.toString(defaultValue), null, null));
    }

    void addChoice(String key, String[] choices, String defaultChoice) {
        fields.add(new Field(key, Kind.CHOICE, defaultChoice, choices, null));
    }

    /**
     * Sets the dialog label of a field, e.g. "TTA (average of 8 flips and rotations)" for
     * {@code tta}. Underscores are shown as spaces.
     * @throws IllegalStateException when the label's first word is not the key (the recorder would
     *         then write a key the macro reader does not know)
     */
    void setLabel(String key, String label) {
        if (!Macro.trimKey(label).equals(key)) {
            throw new IllegalStateException("the label '" + label + "' does not start with the key '" + key + "'");
        }
        field(key).label = label;
    }

    private boolean hasField(String key) {
        for (Field field : fields) if (field.key.equals(key)) return true;
        return false;
    }

    private Field field(String key) {
        for (Field field : fields) if (field.key.equals(key)) return field;
        throw new IllegalStateException("no parameter '" + key + "' in " + title);
    }

    /** A line of help shown in the dialog only. */
    void addMessage(String text) {
        messages.add(text);
    }

    /**
     * Fills the values from the macro options or from the dialog.
     * @return false when the user cancelled the dialog
     */
    boolean show() {
        values.clear();
        if (fromMacro()) {
            readMacroOptions();
            return true;
        }
        GenericDialog dialog = new GenericDialog(title);
        for (String message : messages) dialog.addMessage(message);
        for (Field field : fields) addToDialog(dialog, field);
        dialog.showDialog();
        if (dialog.wasCanceled()) return false;
        for (Field field : fields) values.put(field.key, readFromDialog(dialog, field));
        return true;
    }

    String string(String key) {
        String value = values.get(key);
        if (value == null) throw new IllegalStateException("no parameter '" + key + "' in " + title);
        return value.trim();
    }

    /** @throws IllegalArgumentException when the text is not a number (a macro typo) */
    double number(String key) {
        String text = string(key);
        double value = Tools.parseDouble(text, Double.NaN);
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException(key + "=" + text + " is not a number.");
        }
        return value;
    }

    boolean flag(String key) {
        return Boolean.parseBoolean(string(key));
    }

    /** @throws IllegalArgumentException for a key that is no parameter (a typo would else be ignored) */
    private void readMacroOptions() {
        for (String key : macroOptions.keys()) {
            if (!hasField(key)) {
                StringBuilder known = new StringBuilder();
                for (Field field : fields) known.append(' ').append(field.key);
                throw new IllegalArgumentException(title + " has no option '" + key + "'. Its options:" + known + ".");
            }
        }
        for (Field field : fields) {
            if (field.kind == Kind.CHECKBOX) {
                values.put(field.key, Boolean.toString(macroOptions.flag(field.key)));
            } else {
                values.put(field.key, macroOptions.value(field.key, field.defaultText));
            }
        }
    }

    /** "600" for whole numbers, else the shortest exact decimal ("0.01"). */
    static String formatNumber(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) return Long.toString((long) value);
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static int decimals(String number) {
        int dot = number.indexOf('.');
        return dot < 0 ? 0 : Math.min(6, number.length() - dot - 1);
    }

    private static void addToDialog(GenericDialog dialog, Field field) {
        switch (field.kind) {
            case FILE: dialog.addFileField(field.label, field.defaultText, 40); break;
            case DIRECTORY: dialog.addDirectoryField(field.label, field.defaultText, 40); break;
            case STRING: dialog.addStringField(field.label, field.defaultText, 40); break;
            case NUMBER:
                dialog.addNumericField(field.label, Tools.parseDouble(field.defaultText, 0),
                        decimals(field.defaultText), 8, field.unit);
                break;
            case CHECKBOX: dialog.addCheckbox(field.label, Boolean.parseBoolean(field.defaultText)); break;
            case CHOICE: dialog.addChoice(field.label, field.choices, field.defaultText); break;
            default: throw new IllegalStateException("unknown field kind " + field.kind);
        }
    }

    private static String readFromDialog(GenericDialog dialog, Field field) {
        switch (field.kind) {
            case FILE:
            case DIRECTORY:
            case STRING: return dialog.getNextString();
            case NUMBER: return Double.toString(dialog.getNextNumber());
            case CHECKBOX: return Boolean.toString(dialog.getNextBoolean());
            case CHOICE: return dialog.getNextChoice();
            default: throw new IllegalStateException("unknown field kind " + field.kind);
        }
    }
}
