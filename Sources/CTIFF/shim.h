// What Swift cannot call directly in libtiff (variadic TIFFGetField/TIFFSetField, the
// va_list error handlers) lives here as static inline functions. Filled by TIFFSupport's work.
#include <tiffio.h>
