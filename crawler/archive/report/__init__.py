"""The coverage report: one self-contained HTML page of charts and tables (pure)."""
