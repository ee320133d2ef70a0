"""Models of licences."""
