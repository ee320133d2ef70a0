"""Demo data of hotline, loaded by `./tongban run` after cases (tongban.portal.demo)."""


def load() -> None:
    """Nothing yet."""
