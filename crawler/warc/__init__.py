"""WARC files of a crawl: the writer and the reader (pure: warcio, no Scrapy), and stored bodies read back.

The Scrapy side is ``crawler.scrapy.middlewares.warc_capture`` and ``warc_replay``.
"""
