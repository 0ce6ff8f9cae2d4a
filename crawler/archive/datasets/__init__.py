"""Datasets exported from the archive: JSON Lines, Parquet and CSV tables; WCEP-shaped and Hugging Face training sets, split by time; their data cards (pure)."""
