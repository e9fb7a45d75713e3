"""The scale benchmark (`make benchmark-scale ROWS=…`): see `scale_benchmark.__main__`."""
