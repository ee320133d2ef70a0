"""Government information disclosure on the Wagtail site cluster (issue 7)."""
