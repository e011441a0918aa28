import SyntheticData
// Tests for SyntheticData: filled by its issue.
