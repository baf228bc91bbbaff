"""Models of kepu.awards."""
