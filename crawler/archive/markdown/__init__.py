"""The archive as Markdown pages: day index and event pages, Related lists, story pages (pure)."""
