"""The Jupyter Book side: the Sphinx extension, its assets, the build, and the test tools' pins."""
