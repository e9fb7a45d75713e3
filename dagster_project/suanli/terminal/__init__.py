"""The terminal side of `python -m suanli.cli materialize`: progress while it runs, the full
log in a file, a summary at the end."""
