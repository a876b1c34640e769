// CrawlStats: the run's summary, written to stats.json and printed at the end. Updated only by
// the writer thread (one record at a time), so it needs no locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

#include "crawler/output/page_record.h"

namespace crawler {

struct CrawlStats {
  std::uint64_t pages = 0;   // records written
  std::uint64_t ok = 0;      // records without an error
  std::uint64_t errors = 0;  // records with an error
  std::uint64_t bytes = 0;   // body bytes received
  std::map<int, std::uint64_t> statuses;
  std::map<std::string, std::uint64_t> errors_by_kind;
  std::string started_at;
  std::string finished_at;
  double duration_s = 0;
  std::string stopped_by;                  // "" (the crawl finished), "max_pages", "signal"
  std::uint64_t robots_origins = 0;        // origins whose robots.txt was fetched
  std::uint64_t sitemaps = 0;              // Sitemap: lines found in them
  std::uint64_t frontier_peak_in_ram = 0;  // most queued URLs held in RAM at once
  std::uint64_t frontier_spilled = 0;      // URLs parked in the state database's spill
  // Times each size/count limit cut something, by limit name ("max_pages_per_host": 12, ...).
  std::map<std::string, std::uint64_t> limits;

  void add(const PageRecord& record);
  double pages_per_second() const {
    return duration_s > 0 ? static_cast<double>(pages) / duration_s : 0;
  }
  std::string to_json() const;  // pretty JSON for stats.json
  std::string summary() const;  // a few human lines for stderr
};

}  // namespace crawler
