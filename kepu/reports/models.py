"""Models of kepu.reports."""
