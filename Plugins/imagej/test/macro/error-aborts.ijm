// A failing command must stop the macro (with the worker's message in the log), never hang on a dialog.
// Argument: "<image>|<work folder>".
args = split(getArgument(), "|");
setBatchMode(true);
open(args[0]);
run("U-Net Segment", "model=[" + args[1] + "/no-such-model.unet] output=[" + args[1] + "/out-error]");
print("MACRO went on after an error");
