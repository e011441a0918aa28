// Module JSONRPC: filled by its issue.
