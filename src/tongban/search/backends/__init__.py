"""Search backends: base (interface, get_backend), postgres, sqlite."""
