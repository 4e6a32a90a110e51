"""Tables of the archives domain."""

from __future__ import annotations
