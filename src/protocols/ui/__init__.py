"""ipywidgets components for the book and the job aids. They draw and forward; rules live in
``protocols.engine``."""
