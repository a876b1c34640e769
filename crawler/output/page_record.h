// PageRecord: the outcome of one requested URL, one line of pages.jsonl.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crawler/fetch/error_kind.h"
#include "crawler/fetch/http_capture.h"

namespace crawler {

struct PageRecord {
  std::string url;                          // as requested, normalised
  std::string final_url;                    // after redirects
  std::vector<std::string> redirects;       // every URL fetched before final_url
  int status = 0;                           // HTTP status of the last response; 0 when none
  std::optional<std::string> error;         // null, or a short reason
  ErrorKind error_kind = ErrorKind::kNone;  // written as error_token(error_kind, status)
  int depth = 0;
  std::string referrer;
  std::string fetched_at;  // UTC, RFC 3339
  std::int64_t elapsed_ms = 0;
  std::string content_type;
  std::uint64_t bytes = 0;
  std::string digest;  // "sha256:..." or ""
  std::string title;
  std::vector<std::string> links;  // absolute, normalised, page order, deduplicated
  bool links_truncated = false;    // more links than scope.max_links_per_page
  bool text_truncated = false;     // HTML longer than output.max_text_input: parsed from its start
  bool noindex = false;
  bool unchanged = false;  // a re-crawl answered 304 Not Modified
  // Not written to the file; kept for the crawl state.
  std::string etag;
  std::string last_modified;
  bool skip_output = false;         // state only (output.unchanged: skip)
  std::optional<std::string> text;  // when output.text is on and the page is HTML
  // With WARC output on: every exchange of the URL's redirect chain, the final one last
  // (empty when no response arrived).
  std::vector<HttpCapture> captures;
  // Re-crawl of a URL archived before (from the state): that capture's WARC-Payload-Digest and
  // WARC-Date, for revisit records.
  std::string archived_digest;
  std::string archived_at;
};

// Whether the final capture of `record` goes into the WARC as a revisit rather than a full
// response: a 304 answer to a re-crawl (server-not-modified), or a response whose payload digest
// equals the archived copy's (identical-payload-digest).
inline bool archived_as_revisit(const PageRecord& record) {
  if (record.captures.empty()) return false;
  if (record.unchanged) return true;
  return !record.archived_digest.empty() && record.redirects.empty() &&
         record.captures.back().payload_digest == record.archived_digest;
}

// One JSON object, no trailing newline. Strings that are not valid UTF-8 are repaired
// (invalid bytes replaced with U+FFFD) so every line is valid JSON.
std::string to_json_line(const PageRecord& record, bool include_links);
// The same line appended to `out`: the writer's buffer takes it without a temporary string.
void append_json_line(std::string& out, const PageRecord& record, bool include_links);

// The current time as RFC 3339 UTC with milliseconds, e.g. "2026-11-26T20:02:03.123Z".
std::string utc_now_rfc3339();

}  // namespace crawler
