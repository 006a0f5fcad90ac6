"""CSW 2.0.2 (OGC 07-006r1) catalogue access for the ``csw`` suite: KVP requests over GET only."""
