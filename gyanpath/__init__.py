"""gyanpath: the composition root (settings, services, API, CLI). The only package that reads settings."""

from __future__ import annotations

__version__ = "0.1.0"
