"""A server process loads the search dictionaries as it starts, not inside the first search
(acceptance B's p95 over eight searches was the cold first one: 1.1 s against 5–7 ms warm)."""

import importlib
import sys
import threading

from tongban.search import text


def test_the_wsgi_module_warms_the_search_dictionaries_in_the_background(monkeypatch):
    calls = []
    monkeypatch.setattr(text, "warm_up", lambda: calls.append("warm"))
    sys.modules.pop("tongban.wsgi", None)
    importlib.import_module("tongban.wsgi")
    for thread in threading.enumerate():
        if thread.name == "search-warm-up":
            thread.join(timeout=30)
    assert calls == ["warm"]


def test_the_warm_up_can_be_switched_off(monkeypatch):
    calls = []
    monkeypatch.setattr(text, "warm_up", lambda: calls.append("warm"))
    monkeypatch.setenv("TONGBAN_WARM_UP", "0")
    sys.modules.pop("tongban.wsgi", None)
    importlib.import_module("tongban.wsgi")
    assert calls == []
