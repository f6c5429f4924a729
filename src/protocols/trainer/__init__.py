"""Trainers' tools: new content from templates, maintenance reports, readability and preview."""
