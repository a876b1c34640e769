#include "crawler/output/crawl_stats.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace crawler {

void CrawlStats::add(const PageRecord& record) {
  ++pages;
  bytes += record.bytes;
  ++statuses[record.status];
  if (record.error) {
    ++errors;
    ++errors_by_kind[error_token(record.error_kind, record.status)];
  } else {
    ++ok;
  }
}

std::string CrawlStats::to_json() const {
  nlohmann::ordered_json j;
  j["pages"] = pages;
  j["ok"] = ok;
  j["errors"] = errors;
  j["bytes"] = bytes;
  nlohmann::ordered_json by_status = nlohmann::ordered_json::object();
  for (const auto& [status, count] : statuses) by_status[std::to_string(status)] = count;
  j["statuses"] = by_status;
  j["errors_by_kind"] = errors_by_kind;
  j["started_at"] = started_at;
  j["finished_at"] = finished_at;
  j["duration_s"] = duration_s;
  j["pages_per_second"] = pages_per_second();
  j["robots"] = {{"origins", robots_origins}, {"sitemaps", sitemaps}};
  j["frontier"] = {{"peak_in_ram", frontier_peak_in_ram}, {"spilled", frontier_spilled}};
  j["limits"] = limits;
  j["stopped_by"] =
      stopped_by.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(stopped_by);
  return j.dump(2) + "\n";
}

std::string CrawlStats::summary() const {
  char line[256];
  std::snprintf(line, sizeof line,
                "crawl %s: %llu pages (%llu ok, %llu errors), %.1f MiB in %.1f s, %.1f pages/s\n",
                stopped_by.empty() ? "finished" : ("stopped by " + stopped_by).c_str(),
                static_cast<unsigned long long>(pages), static_cast<unsigned long long>(ok),
                static_cast<unsigned long long>(errors), static_cast<double>(bytes) / 1048576.0,
                duration_s, pages_per_second());
  std::string out = line;
  out += "statuses:";
  for (const auto& [status, count] : statuses) {
    // Appended piece by piece: "literal" + std::string&& draws a false -Wrestrict from GCC 12.
    out.append(" ").append(std::to_string(status)).append("=").append(std::to_string(count));
  }
  out += "\n";
  if (!errors_by_kind.empty()) {
    out += "errors:";
    for (const auto& [kind, count] : errors_by_kind) {
      out += " " + kind + "=" + std::to_string(count);
    }
    out += "\n";
  }
  return out;
}

}  // namespace crawler
