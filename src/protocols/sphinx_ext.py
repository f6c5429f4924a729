"""The Sphinx extension's public name, as agencies' ``_config.yml`` files list it.

The extension lives in :mod:`protocols.book`; this module only hands Sphinx its ``setup``.
"""

from protocols.book.extension import setup

__all__ = ["setup"]
