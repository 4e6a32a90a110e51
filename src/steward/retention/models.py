"""Tables of the retention domain."""

from __future__ import annotations
