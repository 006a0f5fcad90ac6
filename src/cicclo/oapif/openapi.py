"""The API definition of an OGC API Features endpoint, read and validated offline.

References to OGC schemas (``https://schemas.opengis.net/...``) are resolved from the copies shipped in
``schemas/external``; any other external reference is refused, never downloaded.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from jsonschema_path import SchemaPath

from cicclo.errors import CheckFailed, NotTested
from cicclo.http import Exchange
from cicclo.oapif.context import JSON, OPENAPI_JSON, OapifContext, find_links, media_type, same_media_type
from cicclo.oapif.schemas import load_external

_CACHE: dict[int, ApiDefinition] = {}
_LOCK = threading.Lock()


def _is_shipped(ref: str) -> bool:
    try:
        load_external(ref)
    except LookupError:
        return False
    return True


def _follow(doc: Any, fragment: str) -> Any:
    for part in [p for p in fragment.split("/") if p]:
        doc = doc[part.replace("~1", "/").replace("~0", "~")]
    return doc


def offline_document(document: Any, unresolved: set[str], base: str | None = None, depth: int = 0) -> Any:
    """A self-contained copy of an OpenAPI document: external references are inlined from the shipped
    copies, so nothing is ever fetched.

    A reference that is not shipped is reported in ``unresolved``: a parameter defined there is dropped,
    any other object becomes a stub carrying only a description.
    """
    if depth > 40:
        return {}
    if isinstance(document, list):
        out = []
        for item in document:
            ref = item.get("$ref") if isinstance(item, dict) else None
            if isinstance(ref, str) and _external(ref, base) and not _is_shipped(urljoin(base or "", ref)):
                unresolved.add(urljoin(base or "", ref).split("#")[0])
                if "parameters" in ref:
                    continue
            out.append(offline_document(item, unresolved, base, depth))
        return out
    if not isinstance(document, dict):
        return document
    ref = document.get("$ref")
    if isinstance(ref, str) and _external(ref, base):
        target = urljoin(base or "", ref)
        url, _, fragment = target.partition("#")
        try:
            content = _follow(load_external(url), fragment)
        except (LookupError, KeyError, TypeError):
            unresolved.add(url)
            return {"description": f"référence non disponible hors ligne : {url}"}
        return offline_document(content, unresolved, url, depth + 1)
    return {k: offline_document(v, unresolved, base, depth) for k, v in document.items()}


def _external(ref: str, base: str | None) -> bool:
    """True for a reference into another document (relative ones count when we are inside one)."""
    return ref.startswith("http") or (base is not None and not ref.startswith("#")) or (
        base is not None and ref.startswith("#"))


def _offline_handler(uri: str) -> Any:
    return load_external(uri)


def _refused_handler(uri: str) -> Any:
    raise ValueError(f"référence externe non résolue hors ligne : {uri}")


OFFLINE_HANDLERS: dict[str, Any] = {
    "http": _offline_handler, "https": _offline_handler, "file": _refused_handler, "<all_urls>": _refused_handler,
}


def schema_path(document: Mapping[str, Any]) -> SchemaPath:
    """A jsonschema-path view whose external references resolve from the shipped copies only."""
    return SchemaPath.from_dict(document, handlers=OFFLINE_HANDLERS)


def service_desc_link(landing: dict[str, Any]) -> dict[str, Any] | None:
    """The service-desc link of the OpenAPI 3.0 JSON type, else any service-desc link in JSON."""
    links = [lk for lk in find_links(landing, "service-desc") if isinstance(lk.get("href"), str)]
    for lk in links:
        if same_media_type(lk.get("type"), OPENAPI_JSON):
            return lk
    for lk in links:
        if "json" in media_type(lk.get("type")):
            return lk
    return None


@dataclass
class ApiDefinition:
    url: str
    exchange: Exchange
    document: dict[str, Any]
    base_path: str = ""
    unresolved: set[str] = field(default_factory=set)
    offline: dict[str, Any] = field(default_factory=dict)
    _openapi: Any = field(default=None, repr=False)

    def paths(self) -> dict[str, Any]:
        paths = self.document.get("paths")
        return paths if isinstance(paths, dict) else {}

    def resolve(self, node: Any) -> Any:
        """Follow a ``$ref`` (internal or to a shipped OGC schema) until a concrete object is reached."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            node = self._deref(node["$ref"])
            seen += 1
        return node

    def _deref(self, ref: str) -> Any:
        base, _, fragment = ref.partition("#")
        if base and not _is_shipped(base):
            self.unresolved.add(base)
            return {}
        doc: Any = load_external(base) if base else self.document
        for part in [p for p in fragment.split("/") if p]:
            doc = doc[part.replace("~1", "/").replace("~0", "~")]
        return doc

    def operation(self, path_template: str, method: str = "get") -> dict[str, Any] | None:
        item = self.resolve(self.paths().get(path_template))
        op = item.get(method) if isinstance(item, dict) else None
        return op if isinstance(op, dict) else None

    def match_path(self, concrete: str) -> str | None:
        """The path template of the definition that matches a concrete path (literal paths first)."""
        if concrete in self.paths():
            return concrete
        for template in self.paths():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            if re.match(pattern, concrete):
                return template
        return None

    def items_parameters(self, collection_id: str) -> dict[str, dict[str, Any]]:
        """Parameters declared for GET on the items path of a collection, references resolved."""
        template = self.match_path(f"/collections/{collection_id}/items")
        if template is None:
            return {}
        item = self.resolve(self.paths()[template])
        op = self.operation(template) or {}
        params: dict[str, dict[str, Any]] = {}
        for raw in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            param = self.resolve(raw)
            if isinstance(param, dict) and isinstance(param.get("name"), str):
                if isinstance(param.get("schema"), dict):
                    param = {**param, "schema": self.resolve(param["schema"])}
                params[param["name"]] = param
        return params

    def relative_path(self, url: str) -> str:
        path = urlsplit(url).path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path):] or "/"
        return path

    def response_errors(self, exchange: Exchange, path_template: str | None = None) -> list[str]:
        """Errors of a real response against this definition (openapi-core, offline); [] = valid."""
        from openapi_core import OpenAPI

        if self._openapi is None:
            self._openapi = OpenAPI(schema_path(self.offline))
        request, response = _CoreRequest(exchange, self), _CoreResponse(exchange)
        try:
            self._openapi.validate_response(request, response)
        except Exception as exc:  # openapi-core raises a family of validation errors
            details = [str(exc)]
            for sub in getattr(exc, "schema_errors", None) or []:
                details.append(getattr(sub, "message", str(sub))[:300])
            cause = exc.__cause__
            if cause is not None:
                for sub in getattr(cause, "schema_errors", None) or []:
                    details.append(getattr(sub, "message", str(sub))[:300])
            return details[:6]
        return []


class _CoreRequest:
    """The view of a recorded exchange that openapi-core expects as a request."""

    def __init__(self, ex: Exchange, definition: ApiDefinition) -> None:
        from urllib.parse import parse_qsl

        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        parts = urlsplit(ex.url)
        self.host_url = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path
        self.method = ex.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(parts.query, keep_blank_values=True)),
            header=Headers(dict(ex.request_headers)),
            cookie=ImmutableMultiDict(),
        )
        self.content_type = ""
        self.body = None
        self.definition = definition


class _CoreResponse:
    def __init__(self, ex: Exchange) -> None:
        from werkzeug.datastructures import Headers

        self.status_code = ex.status or 0
        self.data = ex.body
        self.content_type = ex.content_type or ""
        self.headers = Headers(list(ex.headers.items()))


def load_definition(api: OapifContext) -> ApiDefinition:
    """The API definition linked from the landing page (memoised per run).

    Raises NotTested when it is absent or unusable: the tests that own those resources report the FAIL.
    """
    with _LOCK:
        cached = _CACHE.get(id(api))
        if cached is not None:
            api.client.get(cached.url, accept=OPENAPI_JSON)  # attaches the evidence to the current test
            return cached
        link = service_desc_link(api.landing_json())
        if link is None:
            raise NotTested("pas de lien service-desc JSON sur la page d'accueil : définition d'API indisponible")
        url = urljoin(api.root, link["href"])
        ex = api.client.get(url, accept=OPENAPI_JSON)
        doc = api.precondition_json(ex, "définition de l'API (service-desc)")
        if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
            raise NotTested("définition de l'API sans objet « paths » : inutilisable")
        servers = doc.get("servers") if isinstance(doc.get("servers"), list) else []
        base = ""
        if servers and isinstance(servers[0], dict) and isinstance(servers[0].get("url"), str):
            base = urlsplit(urljoin(url, servers[0]["url"])).path.rstrip("/")
        definition = ApiDefinition(url=ex.url, exchange=ex, document=doc, base_path=base)
        definition.offline = offline_document(doc, definition.unresolved)
        _CACHE[id(api)] = definition
        return definition


def require_json(ex: Exchange) -> Any:
    """Parse a JSON body owned by the calling test (malformed JSON is a FAIL)."""
    if "json" not in media_type(ex.content_type) and media_type(ex.content_type) != JSON:
        raise CheckFailed(f"{ex.describe()} : JSON attendu")
    return ex.json()
