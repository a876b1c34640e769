#include "crawler/fetch/fetcher.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string_view>

#include "crawler/util/ascii.h"

namespace crawler {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct EvpDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;
using EvpContext = std::unique_ptr<EVP_MD_CTX, EvpDeleter>;

CurlSlist append_header(CurlSlist list, const std::string& header) {
  curl_slist* grown = curl_slist_append(list.get(), header.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();  // now owned by `grown`
  return CurlSlist(grown);
}

std::string hex(const unsigned char* data, unsigned int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

// curl's codes by error kind; the message is the record's `error`, followed by curl's own
// detail where `with_detail` is set. Codes not listed are kOther with curl's detail.
struct CurlError {
  CURLcode code;
  ErrorKind kind;
  const char* message;
  bool with_detail;
};
constexpr CurlError kCurlErrors[] = {
    {CURLE_COULDNT_RESOLVE_HOST, ErrorKind::kDns, "DNS lookup failed", false},
    {CURLE_COULDNT_RESOLVE_PROXY, ErrorKind::kProxy, "proxy DNS lookup failed", false},
    {CURLE_RECV_ERROR, ErrorKind::kReset, "connection reset", false},
    {CURLE_SEND_ERROR, ErrorKind::kReset, "connection reset", false},
    {CURLE_PARTIAL_FILE, ErrorKind::kPartial, "connection closed before the body was complete",
     false},
    {CURLE_GOT_NOTHING, ErrorKind::kEmptyReply, "server closed the connection without a response",
     false},
    {CURLE_WEIRD_SERVER_REPLY, ErrorKind::kProtocol, "malformed response", true},
    {CURLE_HTTP2, ErrorKind::kProtocol, "malformed response", true},
    {CURLE_HTTP2_STREAM, ErrorKind::kProtocol, "malformed response", true},
    {CURLE_UNSUPPORTED_PROTOCOL, ErrorKind::kScheme, "unsupported protocol", false},
    {CURLE_PEER_FAILED_VERIFICATION, ErrorKind::kTls, "TLS error", true},
    {CURLE_SSL_CONNECT_ERROR, ErrorKind::kTls, "TLS error", true},
    {CURLE_SSL_CERTPROBLEM, ErrorKind::kTls, "TLS error", true},
    {CURLE_SSL_CACERT_BADFILE, ErrorKind::kTls, "TLS error", true},
    {CURLE_BAD_CONTENT_ENCODING, ErrorKind::kEncoding, "bad content encoding", false},
    {CURLE_ABORTED_BY_CALLBACK, ErrorKind::kAborted, "aborted: the crawl was stopped", false},
    {CURLE_URL_MALFORMAT, ErrorKind::kBadUrl, "malformed URL", false},
};

const CurlError* find_curl_error(CURLcode code) {
  for (const CurlError& error : kCurlErrors) {
    if (error.code == code) return &error;
  }
  return nullptr;
}

// RFC 9110's reason phrases, for the status line of an HTTP/2 response, which has none.
const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 203:
      return "Non-Authoritative Information";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 300:
      return "Multiple Choices";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 410:
      return "Gone";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// Replaces the first line's end from `from` on ("HTTP/2..." in a status line, " HTTP/2" at the
// end of a request line) with `to`.
void replace_first_line(std::string& message, std::string_view from_marker, bool at_start,
                        const std::string& to) {
  const std::size_t eol = message.find("\r\n");
  if (eol == std::string::npos) return;
  const std::string_view line(message.data(), eol);
  const std::size_t at = at_start ? 0 : line.rfind(from_marker);
  if (at == std::string_view::npos || line.substr(at).find(from_marker) != 0) return;
  message.replace(at, eol - at, to);
}

// An HTTP/2 exchange as the equivalent HTTP/1.1 message: curl shows HTTP/2 headers as HTTP/1-
// style lines with the version "HTTP/2"; the status line gets its reason phrase back.
void as_http11(HttpCapture& c, int status) {
  c.http2 = true;
  replace_first_line(c.request, " HTTP/2", false, " HTTP/1.1");
  const char* reason = reason_phrase(status);
  replace_first_line(c.response_head, "HTTP/2", true,
                     "HTTP/1.1 " + std::to_string(status) + (*reason != 0 ? " " : "") + reason);
}

}  // namespace

CurlGlobal::CurlGlobal() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    throw std::runtime_error("libcurl initialisation failed");
  }
}
CurlGlobal::~CurlGlobal() { curl_global_cleanup(); }

CurlShare::CurlShare() : handle_(curl_share_init()) {
  if (handle_ == nullptr) throw std::runtime_error("curl_share_init failed");
  curl_share_setopt(handle_, CURLSHOPT_LOCKFUNC, &CurlShare::lock);
  curl_share_setopt(handle_, CURLSHOPT_UNLOCKFUNC, &CurlShare::unlock);
  curl_share_setopt(handle_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(handle_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(handle_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}
CurlShare::~CurlShare() { curl_share_cleanup(handle_); }

void CurlShare::lock(void* /*handle*/, int data, int /*access*/, void* self) {
  static_cast<CurlShare*>(self)->locks_[static_cast<std::size_t>(data) % 8].lock();
}
void CurlShare::unlock(void* /*handle*/, int data, void* self) {
  static_cast<CurlShare*>(self)->locks_[static_cast<std::size_t>(data) % 8].unlock();
}

struct Fetcher::Impl {
  const FetchConfig& config;
  CurlEasy easy;
  CurlSlist base_headers;
  EvpContext sha;
  char error_buffer[CURL_ERROR_SIZE] = {};
  FetchResponse* current = nullptr;  // the response being filled by the callbacks
  std::string spare_body;            // a recycled buffer for the next response's body
  std::uint64_t limit = 0;           // body cap of the current request
  bool capture = false;              // fill FetchResponse::capture (capture_exchanges)
  std::uint64_t header_bytes = 0;    // response header bytes of the current request, 1xx included
  bool headers_too_large = false;    // header_bytes passed kMaxHeaderBytes: the transfer was cut

  const std::atomic<std::int64_t>* abort_at;

  Impl(const FetchConfig& c, const CurlShare* share, const std::atomic<std::int64_t>* abort)
      : config(c), easy(curl_easy_init()), sha(EVP_MD_CTX_new()), abort_at(abort) {
    if (!easy || !sha) throw std::runtime_error("cannot allocate a curl or digest handle");
    CURL* h = easy.get();
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(config.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_USERAGENT, config.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 0L);
    if (config.low_speed_limit > 0) {
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(config.low_speed_limit));
      curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>((config.low_speed_time.count() + 999) / 1000));
    }
    if (config.insecure) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!config.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, config.ca_file.c_str());
    if (!config.proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, config.proxy.c_str());
    if (share != nullptr) curl_easy_setopt(h, CURLOPT_SHARE, share->handle());
    if (abort_at != nullptr) {
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    for (const auto& [name, value] : config.headers) {
      base_headers =
          append_header(std::move(base_headers), std::string(name).append(": ").append(value));
    }
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto* impl = static_cast<Impl*>(self);
    FetchResponse& r = *impl->current;
    const std::size_t n = size * count;
    const std::uint64_t room = impl->limit - r.body.size();
    if (r.body.empty()) {
      // One allocation for the announced size instead of a doubling series of copies. Capped,
      // because the header is only the server's word.
      constexpr curl_off_t kMaxReserve = curl_off_t{1} << 20;
      curl_off_t announced = -1;
      curl_easy_getinfo(impl->easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
      if (announced > 0) {
        const auto wanted = static_cast<std::uint64_t>(std::min(announced, kMaxReserve));
        r.body.reserve(static_cast<std::size_t>(std::min(wanted, impl->limit)));
      }
    }
    if (n > room) {
      r.body.append(data, static_cast<std::size_t>(room));
      EVP_DigestUpdate(impl->sha.get(), data, static_cast<std::size_t>(room));
      r.truncated = true;
      return CURL_WRITEFUNC_ERROR;  // stop receiving: the cap is on decoded bytes
    }
    r.body.append(data, n);
    EVP_DigestUpdate(impl->sha.get(), data, n);
    return n;
  }

  // curl's verbose stream: the header blocks as sent and received, and the body bytes before
  // curl decodes them.
  static int on_debug(CURL* /*easy*/, curl_infotype type, char* data, std::size_t size,
                      void* self) {
    auto* impl = static_cast<Impl*>(self);
    HttpCapture& c = *impl->current->capture;
    const std::string_view bytes(data, size);
    switch (type) {
      case CURLINFO_HEADER_OUT:
        c.request.append(bytes);
        break;
      case CURLINFO_HEADER_IN:
        // A new response (after 100 Continue or similar) replaces the previous one.
        if (bytes.starts_with("HTTP/")) c.response_head.clear();
        if (c.response_head.size() + size <= kMaxHeaderBytes) c.response_head.append(bytes);
        break;
      case CURLINFO_DATA_IN: {
        const std::uint64_t room =
            impl->limit - std::min<std::uint64_t>(impl->limit, c.response_body.size());
        if (size > room) c.truncated = HttpCapture::Truncated::kLength;
        c.response_body.append(
            bytes.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(size, room))));
        break;
      }
      default:
        break;
    }
    return 0;
  }

  // After the transfer: what the capture cannot see from the stream itself.
  void finish_capture(CURLcode code, FetchResponse& r) {
    HttpCapture& c = *r.capture;
    if (r.status <= 0 || c.response_head.empty()) {
      r.capture.reset();  // no response: nothing to archive
      return;
    }
    const char* ip = nullptr;
    if (curl_easy_getinfo(easy.get(), CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip != nullptr) {
      c.ip = ip;
    }
    long version = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_HTTP_VERSION, &version);
    if (version == CURL_HTTP_VERSION_2_0) as_http11(c, r.status);
    if (c.truncated != HttpCapture::Truncated::kNone) return;
    if (r.truncated) {
      c.truncated = HttpCapture::Truncated::kLength;
    } else if (code == CURLE_OPERATION_TIMEDOUT || code == CURLE_ABORTED_BY_CALLBACK) {
      c.truncated = HttpCapture::Truncated::kTime;
    } else if (code != CURLE_OK) {
      c.truncated = HttpCapture::Truncated::kDisconnect;
    }
  }

  // Called by curl at least once a second during a transfer: non-zero aborts it.
  static int on_progress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const std::int64_t deadline = static_cast<Impl*>(self)->abort_at->load();
    if (deadline == 0) return 0;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
    return now >= deadline ? 1 : 0;
  }

  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self) {
    auto* impl = static_cast<Impl*>(self);
    FetchResponse& r = *impl->current;
    const std::size_t n = size * count;
    impl->header_bytes += n;
    if (impl->header_bytes > kMaxHeaderBytes) {
      impl->headers_too_large = true;
      return 0;  // not n: curl aborts the transfer
    }
    std::string_view line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
      // A new response (after 100 Continue or similar): forget the previous one's headers.
      r.content_type.clear();
      r.location.clear();
      r.etag.clear();
      r.last_modified.clear();
      r.retry_after.clear();
      r.x_robots_tag.clear();
      return n;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    const std::string_view name = trim_c_space(line.substr(0, colon));
    const std::string_view value = trim_c_space(line.substr(colon + 1));
    if (equals_ignore_case(name, "content-type")) {
      r.content_type = value;
    } else if (equals_ignore_case(name, "location")) {
      r.location = value;
    } else if (equals_ignore_case(name, "etag")) {
      r.etag = value;
    } else if (equals_ignore_case(name, "last-modified")) {
      r.last_modified = value;
    } else if (equals_ignore_case(name, "retry-after")) {
      r.retry_after = value;
    } else if (equals_ignore_case(name, "x-robots-tag")) {
      if (!r.x_robots_tag.empty()) r.x_robots_tag += ", ";
      r.x_robots_tag += value;
    }
    return n;
  }

  void describe_error(CURLcode code, FetchResponse& r) const {
    const std::string detail = error_buffer[0] != 0 ? error_buffer : curl_easy_strerror(code);
    // Codes whose kind or message depends on more than the code itself.
    if (code == CURLE_OPERATION_TIMEDOUT) {
      if (detail.find("too slow") != std::string::npos) {
        // CURLOPT_LOW_SPEED_*: a trickling or stalled server, cut before fetch.timeout.
        r.error_kind = ErrorKind::kTooSlow;
        r.error = "too slow: less than " + format_size(config.low_speed_limit) + "/s for " +
                  format_duration(config.low_speed_time);
        return;
      }
      r.error_kind = ErrorKind::kTimeout;
      r.error = detail.find("onnect") != std::string::npos
                    ? "connect timeout after " + format_duration(config.connect_timeout)
                    : "timeout after " + format_duration(config.timeout);
      return;
    }
    if (code == CURLE_COULDNT_CONNECT) {
      long os_errno = 0;
      curl_easy_getinfo(easy.get(), CURLINFO_OS_ERRNO, &os_errno);
      r.error_kind = ErrorKind::kConnect;
      r.error = os_errno == ECONNREFUSED ? "connection refused" : "cannot connect: " + detail;
      return;
    }
    if (code == CURLE_UNSUPPORTED_PROTOCOL && detail.find("HTTP/0.9") != std::string::npos) {
      // A reply without a status line (garbage or HTTP/0.9): curl refuses it.
      r.error_kind = ErrorKind::kProtocol;
      r.error = "malformed response: no HTTP status line";
      return;
    }
    if (code == CURLE_OUT_OF_MEMORY && r.body.empty()) {
      // What curl 7.88 reports for a header line over its 100 KB limit (CURL_MAX_HTTP_HEADER).
      r.error_kind = ErrorKind::kHeadersTooLarge;
      r.error = "response header line longer than 100 KB";
      return;
    }
    const CurlError* known = find_curl_error(code);
    if (known == nullptr) {
      r.error_kind = ErrorKind::kOther;
      r.error = detail;
      return;
    }
    r.error_kind = known->kind;
    r.error = known->with_detail ? std::string(known->message) + ": " + detail : known->message;
  }
};

Fetcher::Fetcher(const FetchConfig& config, const CurlShare* share,
                 const std::atomic<std::int64_t>* abort_at)
    : impl_(std::make_unique<Impl>(config, share, abort_at)) {}
Fetcher::~Fetcher() = default;

void Fetcher::capture_exchanges() {
  impl_->capture = true;
  CURL* h = impl_->easy.get();
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, &Impl::on_debug);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, impl_.get());
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
}

void Fetcher::recycle(std::string buffer) {
  constexpr std::size_t kMaxSpare = std::size_t{1} << 20;
  if (buffer.capacity() <= kMaxSpare) impl_->spare_body = std::move(buffer);
}

FetchResponse Fetcher::fetch(const std::string& url, const std::vector<std::string>& extra_headers,
                             std::uint64_t max_body) {
  FetchResponse response;
  Impl& impl = *impl_;
  response.body = std::move(impl.spare_body);
  response.body.clear();
  impl.limit = max_body != 0 ? max_body : impl.config.max_body;
  CURL* h = impl.easy.get();
  impl.current = &response;
  impl.header_bytes = 0;
  impl.headers_too_large = false;
  impl.error_buffer[0] = 0;
  EVP_DigestInit_ex(impl.sha.get(), EVP_sha256(), nullptr);
  if (impl.capture) {
    response.capture.emplace();
    response.capture->target_uri = url;
    response.capture->started = std::chrono::system_clock::now();
  }

  CurlSlist request_headers;
  const curl_slist* headers = impl.base_headers.get();
  if (!extra_headers.empty()) {
    for (const curl_slist* h2 = impl.base_headers.get(); h2 != nullptr; h2 = h2->next) {
      request_headers = append_header(std::move(request_headers), h2->data);
    }
    for (const auto& header : extra_headers) {
      request_headers = append_header(std::move(request_headers), header);
    }
    headers = request_headers.get();
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());

  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(h);
  response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);  // request_headers dies at return

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  if (response.truncated) {
    response.error_kind = ErrorKind::kTooLarge;
    response.error = "body larger than " + format_size(impl.limit);
  } else if (impl.headers_too_large) {
    response.error_kind = ErrorKind::kHeadersTooLarge;
    response.error = "response headers larger than " + format_size(kMaxHeaderBytes);
  } else if (code != CURLE_OK) {
    impl.describe_error(code, response);
  }
  if (response.capture) impl.finish_capture(code, response);

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_DigestFinal_ex(impl.sha.get(), digest, &digest_size);
  response.digest = "sha256:" + hex(digest, digest_size);
  impl.current = nullptr;
  return response;
}

}  // namespace crawler
