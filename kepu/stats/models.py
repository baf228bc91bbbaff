"""Models of kepu.stats."""
