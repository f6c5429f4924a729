"""The content: loading and checking the YAML protocols, the agency profile and their snapshot.

``loader`` builds the :class:`~protocols.library.container.Library`; the other modules each hold
one check or one part of reading. Import what you need from its module (this package imports
nothing, so reading an error type does not load pydantic).
"""
