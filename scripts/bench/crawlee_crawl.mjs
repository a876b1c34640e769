// Crawlee peer for scripts/bench.sh: a CheerioCrawler that enqueues every same-host link
// (enqueueLinks) and pushes one item per page (URL, status, title) to its dataset. Min and max
// concurrency are the same; storage goes to CRAWLEE_STORAGE_DIR (the bench puts it on tmpfs).
// Usage: node crawlee_crawl.mjs SEED_URL CONCURRENCY
import { CheerioCrawler } from '@crawlee/cheerio';

const [seed, concurrencyArg] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
if (!seed || !(concurrency > 0)) {
  console.error('usage: node crawlee_crawl.mjs SEED_URL CONCURRENCY');
  process.exit(2);
}

const crawler = new CheerioCrawler({
  minConcurrency: concurrency,
  maxConcurrency: concurrency,
  maxRequestRetries: 0,
  // Off so the bench measures crawling, not the per-request session and 4xx bookkeeping.
  useSessionPool: false,
  async requestHandler({ request, response, $, enqueueLinks, pushData }) {
    await pushData({ url: request.loadedUrl, status: response.statusCode, title: $('title').text() });
    await enqueueLinks({ strategy: 'same-hostname' });
  },
  // 404s are expected (the site links a few missing pages): note them without retries.
  async failedRequestHandler() {},
});

await crawler.run([seed]);
