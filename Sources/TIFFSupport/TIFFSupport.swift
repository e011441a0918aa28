// Module TIFFSupport: filled by its issue.
