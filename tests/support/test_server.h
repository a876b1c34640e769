// An in-process HTTP/1.1 test server on a loopback address (127.0.0.x) with an ephemeral port,
// plus a tiny blocking HTTP client for tests. cpp-httplib stays inside test_server.cc.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crawler::testing {

class SampleSite;

// One request as received by TestServer.
struct Request {
  std::string method;       // "GET" or "HEAD"
  std::string path;         // the raw request target, query included: "/a/b.html?x=1"
  std::string host_header;  // value of the Host header ("" when absent)
  std::map<std::string, std::string> headers;  // lowercased names; repeated ones joined by ", "
  std::chrono::steady_clock::time_point arrived;
};

// What a handler answers. Content-Length is always exactly body.size() (also for HEAD, which
// sends no body). The body is never compressed, whatever the client's Accept-Encoding.
struct Response {
  int status = 200;
  // "" sends no Content-Type with an empty body (httplib forces text/plain on a non-empty one).
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // Extra headers, sent in order (repeats allowed). A Content-Type here replaces content_type.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // slept in the handler thread before answering
};

using Handler = std::function<Response(const Request&)>;

// An HTTP/1.1 server (GET and HEAD) listening on bind_address (which must be 127.0.0.x) in a
// background thread pool of 64 threads (so at most 64 connections are served at once; an idle
// keep-alive connection holds its thread for up to 5 s). The constructor returns once the server is
// listening; the destructor stops it. Dispatch order: route() by exact path (query ignored), then
// the fallback (serve_site() installs one), else 404. route()/fallback() may be called any time.
class TestServer {
 public:
  // port 0 picks an ephemeral port. Throws std::invalid_argument for a non-127.0.0.x address
  // and std::runtime_error when binding fails.
  explicit TestServer(std::string bind_address = "127.0.0.1", int port = 0);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Exact path match without the query, e.g. "/robots.txt". Replaces an earlier route.
  void route(std::string path, Handler handler);
  // For anything unrouted (default: 404). Replaces an earlier fallback or serve_site().
  void fallback(Handler handler);
  // Installs a fallback serving every page of `site` (a cheap shared copy) at its path, with
  // each "{{ORIGIN}}" in a body replaced by base_url(); 404 otherwise. Routes still win.
  // `delay` is slept before each page is answered (slow sites for tests that stop a crawl).
  void serve_site(const SampleSite& site,
                  std::chrono::milliseconds delay = std::chrono::milliseconds(0));

  int port() const;
  std::string bind_address() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  // Every request received, in arrival order (a copy, thread-safe).
  std::vector<Request> requests() const;
  // Requests for `path`: compared without the query unless `path` itself contains a '?'.
  std::size_t request_count(std::string_view path) const;
  // The highest number of requests being handled at the same time (delays included).
  int max_concurrent() const;
  // Requests received since construction (or clear_log()), logged or not.
  std::size_t total_requests() const;
  // Forgets the request log, zeroes total_requests() and resets max_concurrent() to the number
  // of requests in flight.
  void clear_log();
  // Whether requests() records requests (default true; turn off for long-running servers).
  void set_request_logging(bool enabled);

  // A small HTML page: <title>, one <a href> per entry of `hrefs`, then `extra_body` verbatim.
  static std::string html_page(const std::string& title, const std::vector<std::string>& hrefs,
                               const std::string& extra_body = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Result of http_get()/http_request(). status is 0 when no response came (see error).
struct HttpGetResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercased names; repeats joined by ", "
  std::string error;                           // "" on success
};

// Blocking request without redirects or compression. `url` must be "http://host[:port][/path]".
HttpGetResult http_request(std::string_view method, const std::string& url,
                           const std::map<std::string, std::string>& headers = {});
inline HttpGetResult http_get(const std::string& url,
                              const std::map<std::string, std::string>& headers = {}) {
  return http_request("GET", url, headers);
}

}  // namespace crawler::testing
