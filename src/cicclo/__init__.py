"""cicclo: conformance suite for French geodata platforms."""

__version__ = "0.4.0"

# `pytest -p cicclo` and the pytest11 entry point load the package; it hands pytest the suite's plugin
pytest_plugins = ["cicclo.plugin"]
