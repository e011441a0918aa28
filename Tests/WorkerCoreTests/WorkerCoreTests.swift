import WorkerCore
// Tests for WorkerCore: filled by its issue.
