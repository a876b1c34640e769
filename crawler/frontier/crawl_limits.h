// CrawlLimits: a tally of every time a size or count limit cut something (the trap limits that
// bound infinite calendars, ever-growing paths and session ids in every URL among them), for
// stats.json's "limits". Shared by all workers: thread-safe.
//
// The first cut of each limit on a host is logged once (warn), so a trap shows up in the log
// without flooding it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "pool/mutex.h"

namespace crawler {

enum class Limit {
  kMaxUrlLength,         // scope.max_url_length: a link or redirect too long to follow
  kMaxRepeatedSegments,  // scope.max_repeated_segments: a path that repeats a segment
  kMaxPagesPerHost,      // scope.max_pages_per_host: a new URL of a host whose budget is spent
  kMaxLinksPerPage,      // scope.max_links_per_page: a page whose links were cut
  kMaxBody,              // fetch.max_body: a body that was cut
  kMaxTextInput,         // output.max_text_input: a page parsed from its start only
};

// The config key of `limit`, e.g. "scope.max_pages_per_host"; its stats.json name is the part
// after the dot.
const char* limit_key(Limit limit);

class CrawlLimits {
 public:
  CrawlLimits();

  // Counts one cut of `limit` on `host`; logs the first one per limit and host.
  void cut(Limit limit, std::string_view host, std::string_view url);

  // Every limit by its stats.json name ("max_pages_per_host", ...), zeros included.
  std::map<std::string, std::uint64_t> counts() const;

 private:
  mutable pool::Mutex mutex_;
  std::map<Limit, std::uint64_t> cuts_ GUARDED_BY(mutex_);
  std::set<std::pair<Limit, std::string>> logged_ GUARDED_BY(mutex_);
};

}  // namespace crawler
