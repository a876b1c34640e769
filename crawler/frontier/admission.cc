#include "crawler/frontier/admission.h"

#include "crawler/url/url.h"

namespace crawler {

Admission::Admission(const Scope& scope, CrawlLimits& limits, Frontier& frontier)
    : scope_(scope), limits_(limits), frontier_(frontier) {}

ScopeVerdict Admission::prepare(CrawlJob& job) const {
  const std::optional<UrlView> parts = split_url_view(job.url);
  if (!parts) return ScopeVerdict::kUnsupportedScheme;
  const ScopeVerdict verdict = scope_.check(job.url, *parts);
  if (verdict != ScopeVerdict::kInScope) return verdict;
  job.host = parts->host;
  job.origin = url_origin(*parts);
  return verdict;
}

std::size_t Admission::add(std::vector<CrawlJob> jobs) {
  AddResult result = frontier_.add(std::move(jobs));
  for (const CrawlJob& refused : result.over_budget) {
    limits_.cut(Limit::kMaxPagesPerHost, refused.host, refused.url);
  }
  return result.added;
}

ScopeVerdict Admission::admit_seed(const std::string& url) {
  CrawlJob job;
  job.url = url;
  const ScopeVerdict verdict = prepare(job);
  if (verdict != ScopeVerdict::kInScope) return verdict;
  std::vector<CrawlJob> one;
  one.push_back(std::move(job));
  add(std::move(one));
  return verdict;
}

std::size_t Admission::admit_links(std::vector<CrawlJob> links) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < links.size(); ++i) {
    if (prepare(links[i]) != ScopeVerdict::kInScope) continue;
    if (kept != i) links[kept] = std::move(links[i]);
    ++kept;
  }
  if (kept == 0) return 0;
  links.resize(kept);
  return add(std::move(links));
}

Admission::HopResult Admission::admit_redirect(CrawlJob& hop) {
  HopResult result;
  result.verdict = prepare(hop);
  if (result.verdict != ScopeVerdict::kInScope) return result;
  if (!frontier_.mark_seen(hop.url)) {
    result.hop = Hop::kKnown;
    return result;
  }
  frontier_.add_continuation(std::move(hop), Clock::now());
  result.hop = Hop::kQueued;
  return result;
}

}  // namespace crawler
