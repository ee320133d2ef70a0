"""Search for every app: one `SearchBackend` (PostgreSQL or SQLite) over generic documents,
with the Chinese query handling shared by both. Depends only on `tongban.core` and Django."""
