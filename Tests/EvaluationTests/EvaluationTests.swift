import Evaluation
// Tests for Evaluation: filled by its issue.
