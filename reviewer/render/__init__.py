"""Renderers: a Report (and its routing) as text, JSON, Markdown, SARIF or runner annotations."""
