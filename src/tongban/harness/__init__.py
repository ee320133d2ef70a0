"""The reliability and security harness (issue 10): what the tests in `tests/harness/` and
`./tongban fuzz` share. No models; nothing here runs in production requests."""
