"""Parsers that turn file text into structures with exact line numbers."""
