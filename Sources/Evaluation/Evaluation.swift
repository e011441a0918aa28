// Module Evaluation: filled by its issue.
