#!/usr/bin/python3
"""Scrapy peer for scripts/bench.sh: a CrawlSpider whose one Rule follows every in-scope link
(LinkExtractor) and yields one item per page (URL, status, title) into a JSON Lines feed.
Robots off, no delay, no throttling; CONCURRENT_REQUESTS and the per-domain limit are the same.

Usage: scrapy_crawl.py SEED_URL FEED_FILE CONCURRENCY
"""

import sys
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule


class BenchSpider(CrawlSpider):
    name = "bench"
    rules = (Rule(LinkExtractor(), callback="parse_item", follow=True),)

    def __init__(self, seed, **kwargs):
        self.start_urls = [seed]
        self.allowed_domains = [urlsplit(seed).hostname]
        super().__init__(**kwargs)

    def parse_start_url(self, response, **kwargs):
        return self.parse_item(response)

    def parse_item(self, response):
        yield {"url": response.url, "status": response.status,
               "title": response.css("title::text").get()}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    seed, feed, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    process = CrawlerProcess(settings={
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "ROBOTSTXT_OBEY": False,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "DEPTH_LIMIT": 0,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",  # the non-deprecated one
        "FEEDS": {feed: {"format": "jsonlines"}},
    })
    process.crawl(BenchSpider, seed=seed)
    process.start()


if __name__ == "__main__":
    main()
