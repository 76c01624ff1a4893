from __future__ import annotations

from gyanpath.cli import main

main()
