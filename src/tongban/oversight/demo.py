"""Demo data of oversight, loaded by `./tongban run` after cases (tongban.portal.demo): one
supervision scan, so the warned and overdue demo cases appear in the alert queue."""

from . import actions


def load() -> None:
    actions.scan()
