"""Reporters: each reads the run record (``run.jsonl``, see ``record``) and writes one output format."""
