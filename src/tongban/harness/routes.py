"""Walking the URLconf: every Django URL pattern and every django-ninja operation, each with
an example path (dummy values for path parameters). Shared by the deny-by-default walk
(`tests/test_routes.py`), the permission matrix and `docs/permissions.md`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from ninja.operation import PathView

try:  # Python 3.11+
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

# Example paths for routes whose first example would be caught by an earlier route.
EXAMPLE_PATHS: dict[str, str] = {
    "^api/": "/api/no-such-operation",
}


@dataclass(frozen=True)
class Route:
    route: str  # as Django joins it, e.g. "accounts/me/tokens/<int:token_id>/revoke/"
    path: str  # an example path with dummy parameters, e.g. "/accounts/me/tokens/1/revoke/"
    pattern: URLPattern

    @property
    def path_view(self) -> PathView | None:
        """The django-ninja PathView behind an API route (None for plain Django views)."""
        for cell in getattr(self.pattern.callback, "__closure__", None) or ():
            if isinstance(cell.cell_contents, PathView):
                return cell.cell_contents
        return None


def _join(route1: str, route2: str) -> str:  # as django.urls.resolvers.URLResolver._join_route
    if not route1:
        return route2
    return route1 + (route2[1:] if route2.startswith("^") else route2)


def _walk(patterns, route: str = "", regex: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        own = entry.pattern.regex.pattern
        own = own[1:] if own.startswith("^") else own
        own = re.sub(r"(\\Z|\$)$", "", own)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, _join(route, str(entry.pattern)), regex + own)
        elif isinstance(entry, URLPattern):
            yield _join(route, str(entry.pattern)), regex + own, entry


def all_routes(example_paths: dict[str, str] | None = None) -> list[Route]:
    """Every URL pattern, with an example path (`example_paths` overrides it by route)."""
    paths = {**EXAMPLE_PATHS, **(example_paths or {})}
    return [Route(route, paths.get(route) or "/" + example(regex), pattern)
            for route, regex, pattern in _walk(get_resolver().url_patterns)]


# --- an example string for a URL regex (dummy path parameters) ---------------------------------

_CANDIDATES = "1xa-_0"


def example(regex: str) -> str:
    return _emit(sre_parse.parse(regex))


def _emit(items) -> str:
    out = []
    for op, av in items:
        kind = str(op)
        if kind == "LITERAL":
            out.append(chr(av))
        elif kind in ("ANY", "NOT_LITERAL"):
            out.append(next(c for c in "1x" if kind == "ANY" or ord(c) != av))
        elif kind == "IN":
            out.append(next(c for c in _CANDIDATES if _in_set(av, c)))
        elif kind == "CATEGORY":
            out.append(next(c for c in _CANDIDATES if _in_category(av, c)))
        elif kind == "BRANCH":
            out.append(_emit(av[1][0]))
        elif kind == "SUBPATTERN":
            out.append(_emit(av[-1]))
        elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, sub = av
            out.append(_emit(sub) * max(low, 1))
        elif kind == "AT":
            continue
        else:  # pragma: no cover - a construct Django URLs do not use
            raise ValueError(f"cannot make an example for {kind} in a URL pattern")
    return "".join(out)


def _in_category(category, char: str) -> bool:
    name = str(category)
    test = {"DIGIT": str.isdigit, "WORD": lambda c: c.isalnum() or c == "_", "SPACE": str.isspace}
    for key, fn in test.items():
        if key in name:
            return fn(char) != ("NOT" in name)
    return True


def _in_set(items, char: str) -> bool:
    negate = False
    hit = False
    for op, av in items:
        kind = str(op)
        if kind == "NEGATE":
            negate = True
        elif kind == "LITERAL":
            hit = hit or ord(char) == av
        elif kind == "RANGE":
            hit = hit or av[0] <= ord(char) <= av[1]
        elif kind == "CATEGORY":
            hit = hit or _in_category(av, char)
    return hit != negate


@dataclass(frozen=True)
class Operation:
    method: str  # "GET"
    path: str  # as OpenAPI spells it: "/api/me/tokens/{token_id}"
    needs_auth: bool
    route: Route

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def operations(routes: list[Route] | None = None) -> list[Operation]:
    """Every django-ninja operation, once per method and path."""
    seen: set[tuple[str, str]] = set()
    found = []
    for r in routes if routes is not None else all_routes():
        view = r.path_view
        if view is None:
            continue
        for operation in view.operations:
            for method in operation.methods:
                if (method, r.route) in seen:  # django-ninja adds one URL pattern per operation of a path
                    continue
                seen.add((method, r.route))
                openapi_path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r.route)
                found.append(Operation(method, openapi_path, bool(operation.auth_callbacks), r))
    return found


def django_routes(routes: list[Route] | None = None) -> list[Route]:
    """The plain Django views (everything but the API's operations)."""
    return [r for r in (routes if routes is not None else all_routes()) if r.path_view is None]
