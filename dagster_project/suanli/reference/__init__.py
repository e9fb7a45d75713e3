"""Reference data built reproducibly from maintained sources (administrative divisions)."""
