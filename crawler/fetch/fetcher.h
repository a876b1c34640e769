// Fetcher: one HTTP(S) transfer at a time over a reused libcurl easy handle.
//
// Each worker owns one Fetcher, so its connections stay alive between requests (curl's
// connection cache lives in the easy handle). All fetchers of a crawl share one CurlShare: the
// DNS cache and TLS sessions, so a host is resolved once per crawl, not once per worker.
//
// A Fetcher never follows redirects: the crawler does, so every hop passes the same scope,
// dedup and politeness checks. Only http and https are enabled in curl itself
// (CURLOPT_PROTOCOLS_STR), not just checked as strings. The body is capped at max_body bytes of
// decoded content while it is received, so a compression bomb cannot inflate past the cap.
// Response headers are capped at kMaxHeaderBytes, and fetch.low_speed_limit/low_speed_time cut
// a server that trickles (or stalls) before fetch.timeout would.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crawler/config.h"
#include "crawler/fetch/error_kind.h"
#include "crawler/fetch/http_capture.h"

namespace crawler {

// Response header bytes accepted per request (all lines, 1xx responses included); more aborts
// the transfer with ErrorKind::kHeadersTooLarge. Real sites send a few KiB; curl itself also
// refuses a single header line over 100 KB.
inline constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{256} * 1024;

// Process-wide libcurl initialisation; create exactly one before any other curl use, on the
// main thread, and keep it alive while curl is used.
class CurlGlobal {
 public:
  CurlGlobal();
  ~CurlGlobal();
  CurlGlobal(const CurlGlobal&) = delete;
  CurlGlobal& operator=(const CurlGlobal&) = delete;
};

// A curl share handle with the locking curl needs when fetchers on several threads use it.
class CurlShare {
 public:
  CurlShare();
  ~CurlShare();
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;
  void* handle() const { return handle_; }

 private:
  static void lock(void* handle, int data, int access, void* self);
  static void unlock(void* handle, int data, void* self);
  void* handle_;         // CURLSH*, released in the destructor
  std::mutex locks_[8];  // one per curl_lock_data kind we share
};

// What a transfer produced. `error` is empty when a complete response arrived within limits.
struct FetchResponse {
  int status = 0;     // 0 when no response arrived
  std::string error;  // short human reason, e.g. "timeout after 30s"
  ErrorKind error_kind = ErrorKind::kNone;
  std::string content_type;
  std::string location;  // raw Location header, for redirects
  std::string etag;
  std::string last_modified;
  std::string retry_after;
  std::string x_robots_tag;
  std::string body;        // decoded (gzip/br/zstd undone), at most max_body bytes
  bool truncated = false;  // the body was larger than max_body and was cut
  std::string digest;      // "sha256:<hex>" of `body`
  std::chrono::milliseconds elapsed{0};
  // With capture on (Fetcher::capture_exchanges), the exchange as sent and received whenever a
  // response began to arrive (status > 0), even when it was then cut.
  std::optional<HttpCapture> capture;
};

class Fetcher {
 public:
  // `abort_at`, when given, is a deadline (steady clock, milliseconds since its epoch; 0 = none)
  // shared by every fetcher of a crawl: transfers still running then are aborted with
  // ErrorKind::kAborted. A graceful stop sets it to end the grace period.
  Fetcher(const FetchConfig& config, const CurlShare* share,
          const std::atomic<std::int64_t>* abort_at = nullptr);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Fetches `url` with GET. `extra_headers` ("Name: value") are sent with this request only;
  // `max_body` (when not 0) replaces fetch.max_body for this request.
  FetchResponse fetch(const std::string& url, const std::vector<std::string>& extra_headers = {},
                      std::uint64_t max_body = 0);

  // Gives back a body buffer for the next fetch to fill (its capacity, not its content): one
  // allocation of a page's size per worker rather than per page, which also spared glibc a
  // consolidation of its small free lists at every page. Buffers over 1 MiB are freed.
  void recycle(std::string buffer);

  // From now on every response carries its HttpCapture: the request and the response bytes
  // as they went over the wire (at most max_body bytes of the raw body). Costs curl's verbose
  // mode, so it is off unless an archive needs it.
  void capture_exchanges();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crawler
