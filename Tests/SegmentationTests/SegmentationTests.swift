import Segmentation
// Tests for Segmentation: filled by its issue.
