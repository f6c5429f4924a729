"""The Jupyter Book side: the Sphinx extension, the build, and the vendored front-end files."""
