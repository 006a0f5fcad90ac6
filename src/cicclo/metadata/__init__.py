"""Metadata record content: harvesting from CSW, ISO 19139 schema validation, INSPIRE TG 2.0 and CNIG checks."""
