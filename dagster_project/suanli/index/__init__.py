"""Index systems: definitions and AHP weighting."""
