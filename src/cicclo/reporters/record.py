"""``run.jsonl``: the plain run record, the one input of every reporter (schema: ``schemas/run-record.schema.json``).

One JSON object per line, each with a ``record`` member naming its kind:

- ``header`` (first line): the suite, the target and the run's metadata known at its start;
- ``result``: one test ID's result with all its instances (member ``result``, in the form of the items of
  ``results.json``'s ``results``), already redacted, written as soon as the result is known (a test ID written
  twice keeps its last line);
- ``footer`` (last line): the run's statistics, classes, profile verdict and completeness.

Reporters read this file and the run's evidence files only, never the harness's live objects (run context,
results, HTTP client). A reader keeps an index of the result lines and their light part (no instances):
the instances of one result at a time are in memory, however many the run has.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from cicclo.http import current_umask

FORMAT = "cicclo/run-record"
FORMAT_VERSION = "1.0"
FILE_NAME = "run.jsonl"
HEAVY = ("instances", "skipped", "evidence")  # what a result's light part leaves out


class RecordError(ValueError):
    """A run record that cannot be read (no header, no footer, a line that is not JSON)."""


def light(result: dict[str, Any]) -> dict[str, Any]:
    """A result without its instances, skipped instances and evidence list."""
    return {k: v for k, v in result.items() if k not in HEAVY}


class RecordWriter:
    """Appends the lines of a run record, flushed one by one (a crash leaves every result written so far)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = path.open("w", encoding="utf-8")

    def _line(self, kind: str, doc: dict[str, Any]) -> None:
        if self._file is None:
            raise RecordError(f"{self.path} : fiche de campagne déjà close")
        self._file.write(json.dumps({"record": kind, **doc}, ensure_ascii=False) + "\n")
        self._file.flush()

    def header(self, doc: dict[str, Any]) -> None:
        self._line("header", {"format": FORMAT, "format_version": FORMAT_VERSION, **doc})

    def result(self, doc: dict[str, Any]) -> None:
        self._line("result", {"result": doc})

    def footer(self, doc: dict[str, Any]) -> None:
        self._line("footer", doc)
        self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_record(path: Path, header: dict[str, Any], results: Iterable[dict[str, Any]],
                 footer: dict[str, Any]) -> Path:
    """A whole run record from plain dicts (a hand-written run, a test)."""
    writer = RecordWriter(path)
    writer.header(header)
    for result in results:
        writer.result(result)
    writer.footer(footer)
    return path


class RunRecord:
    """A run record opened for reading: its header, footer, the light results and, one at a time, the full ones,
    all in test ID order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent
        self.header: dict[str, Any] = {}
        self.footer: dict[str, Any] = {}
        self._offsets: dict[str, int] = {}
        self._light: dict[str, dict[str, Any]] = {}
        with path.open("rb") as handle:
            offset = 0
            for number, raw in enumerate(handle, 1):
                doc = self._parse(raw, number)
                kind = doc.pop("record", None)
                if kind == "header" and number == 1:
                    if doc.get("format") != FORMAT:
                        raise RecordError(f"{path} : pas une fiche de campagne cicclo ({FORMAT})")
                    self.header = doc
                elif kind == "result" and self.header and not self.footer:
                    result = doc["result"]
                    self._offsets[result["test_id"]] = offset
                    self._light[result["test_id"]] = light(result)
                elif kind == "footer" and self.header and not self.footer:
                    self.footer = doc
                else:
                    raise RecordError(f"{path} : ligne {number} inattendue (« {kind} »)")
                offset += len(raw)
        if not self.header or not self.footer:
            raise RecordError(f"{path} : fiche de campagne incomplète (en-tête ou pied absent)")

    def _parse(self, raw: bytes, number: int) -> dict[str, Any]:
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise RecordError(f"{self.path} : ligne {number} : JSON illisible : {exc}") from None
        if not isinstance(doc, dict):
            raise RecordError(f"{self.path} : ligne {number} : objet JSON attendu")
        return doc

    @property
    def test_ids(self) -> list[str]:
        return sorted(self._offsets)

    def light(self) -> list[dict[str, Any]]:
        """Every result without its instances, by test ID."""
        return [self._light[k] for k in self.test_ids]

    def results(self) -> Iterator[dict[str, Any]]:
        """Every full result, by test ID, read back from the file one at a time."""
        with self.path.open("rb") as handle:
            for test_id in self.test_ids:
                handle.seek(self._offsets[test_id])
                yield self._parse(handle.readline(), 0)["result"]


def write_streaming(path: Path, chunks: Iterable[str]) -> None:
    """Write text chunks through a temporary file in the same folder (no reader ever sees half a file), without
    holding the whole text."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
