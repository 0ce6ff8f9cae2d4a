"""newsarchive: a news-event archive built from Wikipedia's Current Events portal and its cited sources."""

__version__ = "0.1.0"
