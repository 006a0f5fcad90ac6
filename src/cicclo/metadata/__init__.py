"""Metadata record content: harvesting from CSW, ISO 19139 schema validation, INSPIRE TG 2.0 and CNIG checks."""


def is_url(value: str) -> bool:
    """An input of ``cicclo validate`` that names a record by its http(s) URL rather than a file (kept in this
    light module: the ``cicclo validate`` process decides it without importing the checks)."""
    return value.startswith(("http://", "https://"))
