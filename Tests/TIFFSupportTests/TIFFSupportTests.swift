import TIFFSupport
// Tests for TIFFSupport: filled by its issue.
