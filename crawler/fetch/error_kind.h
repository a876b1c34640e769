// ErrorKind: why a URL has no usable page, as a closed set. Records and stats.json carry it as
// a stable token (error_token), so scripts that group errors keep working across versions; the
// enum makes a misspelt kind a compile error instead of a new token.
#pragma once

#include <string>

namespace crawler {

enum class ErrorKind {
  kNone,             // no error (a record with an error but no kind is written as "other")
  kOther,            // anything curl reports that has no kind of its own
  kTimeout,          // fetch.timeout or fetch.connect_timeout passed
  kTooSlow,          // slower than fetch.low_speed_limit for fetch.low_speed_time
  kConnect,          // refused or no route
  kDns,              // the host name does not resolve
  kProxy,            // the proxy's name does not resolve
  kReset,            // the connection broke while sending or receiving
  kPartial,          // the body ended before its announced length
  kEmptyReply,       // the server closed without a response
  kProtocol,         // not a valid HTTP response
  kScheme,           // not http or https
  kTls,              // certificate or handshake failure
  kHeadersTooLarge,  // response headers past kMaxHeaderBytes (or one line past curl's 100 KB)
  kTooLarge,         // body past fetch.max_body (the page is still parsed from its start)
  kEncoding,         // a Content-Encoding that does not decode
  kAborted,          // cut by the end of a stop's grace period (never recorded)
  kBadUrl,           // curl rejected the URL
  kRobots,           // disallowed by robots.txt
  kRedirect,         // a redirect that cannot be followed (loop, too many, out of scope)
  kHttpStatus,       // a retryable status (429, 5xx) after the last try: token "http_<status>"
  kHostUnreachable,  // the frontier gave up the host after repeated connection failures
  kInternal,         // the crawler itself failed on this URL
};

// The token records and stats.json use, e.g. "timeout", "http_503" (kHttpStatus with `status`).
// kNone gives "other": it is only asked for records that have an error.
std::string error_token(ErrorKind kind, int status = 0);

// The host gave no usable answer: retried, and counted against the host's health.
bool is_network_failure(ErrorKind kind);

}  // namespace crawler
