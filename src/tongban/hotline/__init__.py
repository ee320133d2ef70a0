"""The 12345 citizen hotline: tickets, routing, classifier, callbacks, Open311 (issue 8)."""
