/// True in `make sanitize` builds (`-DSANITIZER`): AddressSanitizer's quarantine and shadow
/// memory, and its slowdown, make the tests of peak memory and of iterations per second
/// meaningless there, so those two are skipped; everything else runs.
#if SANITIZER
  let builtWithSanitizer = true
#else
  let builtWithSanitizer = false
#endif
