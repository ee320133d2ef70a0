"""Tongban 通办 — integrated online government service platform."""
