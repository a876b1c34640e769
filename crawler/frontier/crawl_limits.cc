#include "crawler/frontier/crawl_limits.h"

#include <spdlog/spdlog.h>

namespace crawler {

const char* limit_key(Limit limit) {
  switch (limit) {
    case Limit::kMaxUrlLength:
      return "scope.max_url_length";
    case Limit::kMaxRepeatedSegments:
      return "scope.max_repeated_segments";
    case Limit::kMaxPagesPerHost:
      return "scope.max_pages_per_host";
    case Limit::kMaxLinksPerPage:
      return "scope.max_links_per_page";
    case Limit::kMaxBody:
      return "fetch.max_body";
    case Limit::kMaxTextInput:
      return "output.max_text_input";
  }
  return "unknown";
}

CrawlLimits::CrawlLimits() {
  for (Limit limit : {Limit::kMaxUrlLength, Limit::kMaxRepeatedSegments, Limit::kMaxPagesPerHost,
                      Limit::kMaxLinksPerPage, Limit::kMaxBody, Limit::kMaxTextInput}) {
    cuts_[limit] = 0;
  }
}

void CrawlLimits::cut(Limit limit, std::string_view host, std::string_view url) {
  bool first = false;
  {
    pool::MutexLock lock(mutex_);
    ++cuts_[limit];
    first = logged_.emplace(limit, std::string(host)).second;
  }
  if (first) {
    constexpr std::size_t kShown = 200;  // a URL cut for its length can be huge
    const std::string shown =
        url.size() > kShown ? std::string(url.substr(0, kShown)) + "..." : std::string(url);
    spdlog::warn("{} cut {} on host {} (first time; further cuts are only counted in stats.json)",
                 limit_key(limit), shown, host);
  }
}

std::map<std::string, std::uint64_t> CrawlLimits::counts() const {
  pool::MutexLock lock(mutex_);
  std::map<std::string, std::uint64_t> out;
  for (const auto& [limit, count] : cuts_) {
    const std::string key = limit_key(limit);
    out[key.substr(key.find('.') + 1)] = count;
  }
  return out;
}

}  // namespace crawler
