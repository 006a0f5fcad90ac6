"""Reporters: each reads the result model and writes one output format."""
