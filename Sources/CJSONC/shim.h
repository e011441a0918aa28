// json-c for the JSONRPC module.
#include <json-c/json.h>
