"""Pages of the documentation site generated at build time from the repository's own sources.

`hooks/pages.py` (the MkDocs hook) calls these renderers; each returns Markdown text, so the
generated pages are themed, linked and searched like hand-written ones. Nothing here imports MkDocs.
"""
