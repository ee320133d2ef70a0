"""Data sharing between departments: resources, grants, the department read API (issue 6, PRODUCT H)."""
