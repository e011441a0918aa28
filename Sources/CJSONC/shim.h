// json-c for the JSONRPC module (the only Swift that includes this header).
#ifndef CJSONC_SHIM_H
#define CJSONC_SHIM_H

#include <json-c/json.h>

/// The serialisation flags of every protocol line: compact (no added spaces or newlines) and "/"
/// written as is. Spelled out here because Swift does not import macros built from shifts and ors.
static const int cjsonc_plain_flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

/// json-c's strict tokener mode. It still accepts single-quoted strings, NaN and Infinity; the
/// JSONRPC module rejects those itself before json-c sees the text.
static const int cjsonc_tokener_strict = JSON_TOKENER_STRICT;

/// Adds `value` under a key that the caller guarantees is not yet in `object` (skips json-c's lookup).
static inline int cjsonc_object_add_new_key(struct json_object *object, const char *key,
                                            struct json_object *value) {
  return json_object_object_add_ex(object, key, value, JSON_C_OBJECT_ADD_KEY_IS_NEW);
}

#endif
