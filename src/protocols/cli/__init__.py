"""The ``handbook`` command: one module per command group (see ``main`` for the entry point)."""

from protocols.cli.main import main

__all__ = ["main"]
