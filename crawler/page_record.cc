#include "crawler/page_record.h"

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace crawler {

std::string to_json_line(const PageRecord& r, bool include_links) {
  nlohmann::ordered_json j;
  j["url"] = r.url;
  j["final_url"] = r.final_url;
  j["redirects"] = r.redirects;
  j["status"] = r.status;
  j["error"] = r.error ? nlohmann::ordered_json(*r.error) : nlohmann::ordered_json(nullptr);
  j["error_kind"] = r.error ? nlohmann::ordered_json(r.error_kind.empty() ? "other" : r.error_kind)
                            : nlohmann::ordered_json(nullptr);
  j["depth"] = r.depth;
  j["referrer"] =
      r.referrer.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.referrer);
  j["fetched_at"] = r.fetched_at;
  j["elapsed_ms"] = r.elapsed_ms;
  j["content_type"] = r.content_type;
  j["bytes"] = r.bytes;
  j["digest"] = r.digest;
  j["title"] = r.title;
  if (include_links) {
    j["links"] = r.links;
    if (r.links_truncated) j["links_truncated"] = true;
  }
  if (r.text_truncated) j["text_truncated"] = true;
  if (r.noindex) j["noindex"] = true;
  if (r.unchanged) j["unchanged"] = true;
  if (r.text) j["text"] = *r.text;
  // `replace` turns invalid UTF-8 (from a page that lied about its charset) into U+FFFD
  // instead of throwing: a record is never lost to an encoding problem.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string utc_now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%.*s.%03dZ", static_cast<int>(n), buffer,
                static_cast<int>(millis));
  return out;
}

}  // namespace crawler
