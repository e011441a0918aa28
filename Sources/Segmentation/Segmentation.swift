// Module Segmentation: filled by its issue.
