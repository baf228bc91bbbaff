"""Models of kepu.exports."""
