"""Tables of the identity domain."""

from __future__ import annotations
