"""Models of disclosure."""
