"""cicclo: conformance suite for French geodata platforms."""

__version__ = "0.3.0"
