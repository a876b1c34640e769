#include "crawler/state/state_spill.h"

#include "crawler/url/url.h"

namespace crawler {

StateSpill::StateSpill(const std::filesystem::path& dir) : store_(StateStore::open(dir)) {
  store_.clear_spill();
}

void StateSpill::push(const std::vector<CrawlJob>& jobs) {
  std::vector<UrlRow> rows;
  rows.reserve(jobs.size());
  for (const CrawlJob& job : jobs) {
    UrlRow row;
    row.fp = url_fingerprint(job.url);
    row.url = job.url;
    row.depth = job.depth;
    row.referrer = job.referrer;
    rows.push_back(std::move(row));
  }
  store_.spill(rows);
}

std::vector<CrawlJob> StateSpill::pop(std::size_t max_jobs) {
  std::vector<CrawlJob> jobs;
  for (UrlRow& row : store_.unspill(max_jobs)) {
    CrawlJob job;
    if (auto known = store_.find(row.fp); known && known->status != UrlStatus::kQueued) {
      job.etag = std::move(known->etag);
      job.last_modified = std::move(known->last_modified);
    }
    job.url = std::move(row.url);
    job.depth = row.depth;
    job.referrer = std::move(row.referrer);
    derive_keys(job);
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace crawler
