"""The ``handbook`` command: one module per command group (``app`` holds the command and its entry point, ``main``)."""

from protocols.cli.app import main

__all__ = ["main"]
