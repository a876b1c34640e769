#include "crawler/frontier/crawl_job.h"

#include "crawler/url/url.h"

namespace crawler {

bool derive_keys(CrawlJob& job) {
  const std::optional<UrlView> parts = split_url_view(job.url);
  if (!parts) return false;
  job.host = parts->host;
  job.origin = url_origin(*parts);
  return true;
}

}  // namespace crawler
