// libFuzzer's entry point for programs that have their own main (LLVM 12+). Only the fuzzing
// build of unet-fuzz (-sanitize=fuzzer) calls it; that build links libFuzzer.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
