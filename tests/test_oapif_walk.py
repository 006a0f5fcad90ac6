"""Page walks keep a compact summary of each feature that reads back exactly as it was given."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from cicclo.oapif.context import FeatureColumns, FeatureSummary, OapifContext, id_key


def test_columns_read_back_what_was_stored() -> None:
    rows: list[tuple[Any, Any, Any, list[str]]] = [
        ("a", (1.5, -2.0, 3.25, 4.0), "Point", ["2020-01-01T00:00:00Z", "2021-05-05"]),
        (7, None, None, []),
        (None, (float("-inf"), 0.0, 0.0, float("inf")), "Polygon", ["٢٠٢٠-01-01", "\ud800"]),
        ({"x": 1}, (0.0, 0.0, 0.0, 0.0), "Point", ["2020-02-02"]),
    ]
    cols = FeatureColumns()
    for row in rows:
        cols.append(*row)
    expected = [FeatureSummary(*row) for row in rows]
    assert list(cols) == expected
    assert len(cols) == 4 and cols[-1] == expected[-1] and cols[1:3] == expected[1:3]
    assert cols.ids == [r[0] for r in rows]


def test_id_keys_are_equal_exactly_when_the_reprs_are() -> None:
    values: list[Any] = ["1", 1, 1.0, True, "'1'", ("1",), [1], None, "None"]
    for a in values:
        for b in values:
            assert (id_key(a) == id_key(b)) == (repr(a) == repr(b)), (a, b)


class _Page:
    def __init__(self, url: str, features: list[dict[str, Any]], next_url: str | None) -> None:
        self.url, self.status, self.ref = url, 200, f"evidence/{url}"
        self.doc = {"features": features, "links": [{"rel": "next", "href": next_url}] if next_url else []}

    def json(self) -> dict[str, Any]:
        return self.doc


def test_a_walk_reports_repeated_ids_across_pages() -> None:
    pages = {
        "http://x/items": _Page("http://x/items", [{"id": "a", "geometry": {"type": "Point", "coordinates": [1, 2]}},
                                                   {"id": 1}], "http://x/items?p=2"),
        "http://x/items?p=2": _Page("http://x/items?p=2", [{"id": "1"}, {"id": "a"}, {"id": None}, {"id": None}],
                                    None),
    }
    api = object.__new__(OapifContext)
    api.client = SimpleNamespace(get=lambda url, **_: pages[url])  # type: ignore[assignment]
    api.budgets = SimpleNamespace(max_pages=None)  # type: ignore[assignment]
    walk = api.walk("http://x/items")
    assert walk.complete and walk.pages == 2
    assert walk.duplicate_ids == ["a"]
    assert walk.ids == ["a", 1, "1", "a", None, None]
    assert walk.features[0].envelope == (1.0, 2.0, 1.0, 2.0) and walk.features[0].geometry_type == "Point"
