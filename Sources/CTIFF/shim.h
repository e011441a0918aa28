// What Swift cannot call directly in libtiff lives here as small static inline functions:
// the variadic TIFFGetField/TIFFSetField (one typed wrapper per value type we use) and the
// va_list error/warning handlers.
//
// Messages: every TIFF handle is opened through unet_tiff_open with its own UnetTIFFMessages
// buffer, installed with TIFFOpenOptionsSetErrorHandlerExtR (libtiff >= 4.5). The handlers
// format libtiff's message into that buffer and return 1, so libtiff's global handlers (which
// print to stderr) are not called, and two threads with two handles never share a buffer.
// unet_tiff_silence_global_handlers removes the global handlers as well, for the few code paths
// in libtiff that still report through them.
#ifndef UNET_CTIFF_SHIM_H
#define UNET_CTIFF_SHIM_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>

#define UNET_TIFF_MESSAGE_CAPACITY 1024

/// Messages libtiff reported for one handle: errors and warnings joined with "; ", truncated.
typedef struct UnetTIFFMessages {
  char errors[UNET_TIFF_MESSAGE_CAPACITY];
  char warnings[UNET_TIFF_MESSAGE_CAPACITY];
  int errorCount;
  int warningCount;
  /// Warnings about data that could not be read ("IO error during reading of ...; tag
  /// ignored"): libtiff drops the tag and goes on, but the file is truncated or damaged.
  int readFailureWarningCount;
} UnetTIFFMessages;

/// The NUL-terminated error text (Swift sees the char arrays as 1024-element tuples).
static inline const char *unet_tiff_errors(const UnetTIFFMessages *messages) {
  return messages->errors;
}

/// The NUL-terminated warning text.
static inline const char *unet_tiff_warnings(const UnetTIFFMessages *messages) {
  return messages->warnings;
}

static inline void unet_tiff_append(char *buffer, const char *module, const char *fmt,
                                    va_list ap) {
  size_t used = strlen(buffer);
  if (used + 1 >= UNET_TIFF_MESSAGE_CAPACITY) return;
  if (used > 0) {
    int n = snprintf(buffer + used, UNET_TIFF_MESSAGE_CAPACITY - used, "; ");
    if (n < 0) return;
    used = strlen(buffer);
  }
  if (module != NULL && module[0] != '\0' && used + 1 < UNET_TIFF_MESSAGE_CAPACITY) {
    snprintf(buffer + used, UNET_TIFF_MESSAGE_CAPACITY - used, "%s: ", module);
    used = strlen(buffer);
  }
  if (used + 1 < UNET_TIFF_MESSAGE_CAPACITY) {
    vsnprintf(buffer + used, UNET_TIFF_MESSAGE_CAPACITY - used, fmt, ap);
  }
}

static inline int unet_tiff_error_handler(TIFF *tif, void *user_data, const char *module,
                                          const char *fmt, va_list ap) {
  (void)tif;
  UnetTIFFMessages *messages = (UnetTIFFMessages *)user_data;
  if (messages == NULL) return 1;
  messages->errorCount += 1;
  unet_tiff_append(messages->errors, module, fmt, ap);
  return 1;
}

static inline int unet_tiff_warning_handler(TIFF *tif, void *user_data, const char *module,
                                            const char *fmt, va_list ap) {
  (void)tif;
  UnetTIFFMessages *messages = (UnetTIFFMessages *)user_data;
  if (messages == NULL) return 1;
  messages->warningCount += 1;
  if (fmt != NULL && strstr(fmt, "IO error") != NULL) messages->readFailureWarningCount += 1;
  unet_tiff_append(messages->warnings, module, fmt, ap);
  return 1;
}

/// Removes libtiff's process-wide handlers (which print to stderr). Call once, before any open.
static inline void unet_tiff_silence_global_handlers(void) {
  TIFFSetErrorHandler(NULL);
  TIFFSetWarningHandler(NULL);
  TIFFSetErrorHandlerExt(NULL);
  TIFFSetWarningHandlerExt(NULL);
}

/// TIFFOpenExt with per-handle message capture and a cap on any single libtiff allocation.
/// `messages` must stay valid until TIFFClose; errors while opening are written there too.
static inline TIFF *unet_tiff_open(const char *path, const char *mode, UnetTIFFMessages *messages,
                                   int64_t max_single_allocation) {
  TIFFOpenOptions *options = TIFFOpenOptionsAlloc();
  if (options == NULL) return NULL;
  TIFFOpenOptionsSetErrorHandlerExtR(options, unet_tiff_error_handler, messages);
  TIFFOpenOptionsSetWarningHandlerExtR(options, unet_tiff_warning_handler, messages);
  if (max_single_allocation > 0) {
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, (tmsize_t)max_single_allocation);
  }
  TIFF *tif = TIFFOpenExt(path, mode, options);
  TIFFOpenOptionsFree(options);
  return tif;
}

// MARK: - TIFFGetField / TIFFGetFieldDefaulted, one wrapper per C type of the tag's value.

static inline int unet_tiff_get_uint16(TIFF *tif, uint32_t tag, uint16_t *value) {
  return TIFFGetField(tif, tag, value);
}

static inline int unet_tiff_get_uint16_defaulted(TIFF *tif, uint32_t tag, uint16_t *value) {
  return TIFFGetFieldDefaulted(tif, tag, value);
}

static inline int unet_tiff_get_uint32(TIFF *tif, uint32_t tag, uint32_t *value) {
  return TIFFGetField(tif, tag, value);
}

static inline int unet_tiff_get_uint32_defaulted(TIFF *tif, uint32_t tag, uint32_t *value) {
  return TIFFGetFieldDefaulted(tif, tag, value);
}

/// Rational tags such as TIFFTAG_XRESOLUTION come back as float.
static inline int unet_tiff_get_float(TIFF *tif, uint32_t tag, float *value) {
  return TIFFGetField(tif, tag, value);
}

/// ASCII tags such as TIFFTAG_IMAGEDESCRIPTION; the string is owned by the handle.
static inline int unet_tiff_get_string(TIFF *tif, uint32_t tag, const char **value) {
  char *text = NULL;
  int ok = TIFFGetField(tif, tag, &text);
  *value = text;
  return ok;
}

/// TIFFTAG_EXTRASAMPLES: a count and an array owned by the handle.
static inline int unet_tiff_get_extra_samples(TIFF *tif, uint16_t *count, const uint16_t **kinds) {
  uint16_t *array = NULL;
  int ok = TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, count, &array);
  *kinds = array;
  return ok;
}

// MARK: - TIFFSetField, one wrapper per C type of the tag's value.

static inline int unet_tiff_set_uint16(TIFF *tif, uint32_t tag, uint16_t value) {
  return TIFFSetField(tif, tag, (int)value);
}

static inline int unet_tiff_set_int(TIFF *tif, uint32_t tag, int value) {
  return TIFFSetField(tif, tag, value);
}

static inline int unet_tiff_set_uint32(TIFF *tif, uint32_t tag, uint32_t value) {
  return TIFFSetField(tif, tag, value);
}

/// Rational tags: libtiff reads the vararg as double.
static inline int unet_tiff_set_double(TIFF *tif, uint32_t tag, double value) {
  return TIFFSetField(tif, tag, value);
}

static inline int unet_tiff_set_string(TIFF *tif, uint32_t tag, const char *value) {
  return TIFFSetField(tif, tag, value);
}

#endif
