"""Built-in services: what the suite starts itself on loopback for a target that says ``builtin: NAME``.

Each starter takes a private working folder and returns a :class:`Started`: the services it provides (the
fields that replace those of the target file: ``url``, ``options``...), the secrets it generated (added to
redaction) and how to stop it. One starter may provide several services (pycsw gives ``csw`` and
``ogcapi_records``); it is started once per run, whatever the number of services naming it.

Starters run in the order of :data:`STARTERS` and each receives the URLs of the services already started
(``{"csw": "http://127.0.0.1:…/csw", …}``), so that e.g. the features server can link the catalogue's records.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STARTERS = {  # in start order
    "catalogue": "cicclo.reference.catalogue:start_builtin",
    "reference": "cicclo.reference:start_builtin",
    "mapserver": "cicclo.reference.mapserver:start_builtin",
    "proconnect": "cicclo.reference.proconnect:start_builtin",
    "keycloak": "cicclo.reference.keycloak:start_builtin",
    "spring": "cicclo.reference.spring:start_builtin",
}


@dataclass
class Started:
    """Services provided by a running built-in starter."""

    services: dict[str, dict[str, Any]]
    stop: Callable[[], None]
    secrets: dict[str, str] = field(default_factory=dict)


def one_service(platform: Any, service: str) -> Started:
    """Start ``platform`` (``start()`` gives its URL, ``stop()`` stops it) as the built-in ``service``; a platform
    that fails to start is stopped before the error goes on."""
    try:
        url = platform.start()
    except Exception:
        platform.stop()
        raise
    return Started(services={service: {"url": url}}, stop=platform.stop)


def start(name: str, workdir: Path, started_urls: Mapping[str, str]) -> Started:
    """Start built-in ``name`` in ``workdir``; raises an exception naming the problem when it cannot start."""
    module_name, _, func = STARTERS[name].partition(":")
    starter: Callable[[Path, Mapping[str, str]], Started] = getattr(importlib.import_module(module_name), func)
    workdir.mkdir(parents=True, exist_ok=True)
    return starter(workdir, started_urls)
