"""Models of hotline."""
