"""Publication: the gated copy of the marts BI tools read, and what is derived from it."""
