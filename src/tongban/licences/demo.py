"""Demo data of licences, loaded by `./tongban run` after cases (tongban.portal.demo)."""


def load() -> None:
    """Nothing yet."""
