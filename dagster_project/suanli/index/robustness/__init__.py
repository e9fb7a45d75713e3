"""The robustness audit of the indices: uncertainty, sensitivity and the data it runs on."""
