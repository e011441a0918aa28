import JSONRPC
// Tests for JSONRPC: filled by its issue.
