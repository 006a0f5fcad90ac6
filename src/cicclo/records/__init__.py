"""OGC API – Records – Part 1 (OGC 20-004r1) access for the ``records`` suite."""
