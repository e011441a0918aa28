// Module SyntheticData: filled by its issue.
