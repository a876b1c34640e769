#include "crawler/page_worker.h"

#include <curl/curl.h>

#include <algorithm>

#include "crawler/frontier/fingerprint_set.h"
#include "crawler/html/charset.h"
#include "crawler/html/html_parser.h"
#include "crawler/html/link_scanner.h"
#include "crawler/output/warc_record.h"
#include "crawler/url/url.h"
#include "crawler/util/ascii.h"

namespace crawler {
namespace {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// HTML is what the server says is HTML; without a Content-Type, what starts like HTML.
bool is_html(std::string_view content_type, std::string_view body) {
  const std::string type = ascii_lower_copy(content_type.substr(0, content_type.find(';')));
  if (!content_type.empty()) {
    return type.find("text/html") != std::string::npos ||
           type.find("application/xhtml+xml") != std::string::npos;
  }
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const std::string head = ascii_lower_copy(body.substr(start, 15));
  return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0;
}

// The part of `html` the HTML parser gets: at most `cap` bytes, cut on a UTF-8 character
// boundary. Gumbo's tree costs some 70 bytes per byte of dense markup, so without a cap a
// 10 MiB page could take 700 MB in one worker.
std::string_view parser_input(std::string_view html, std::uint64_t cap, bool& cut) {
  cut = html.size() > cap;
  if (!cut) return html;
  std::size_t end = static_cast<std::size_t>(cap);
  while (end > 0 && (static_cast<unsigned char>(html[end]) & 0xC0) == 0x80) --end;
  return html.substr(0, end);
}

bool has_token(std::string_view header, std::string_view token) {
  return ascii_lower_copy(header).find(token) != std::string::npos;
}

// Runs `complete` when the job's processing ends, however it ends: the frontier counts the job
// as in flight until then, and a missed call would keep the crawl from ever finishing.
class CompleteOnExit {
 public:
  CompleteOnExit(Frontier& frontier, const CrawlJob& job) : frontier_(frontier), job_(job) {}
  ~CompleteOnExit() { frontier_.complete(job_, outcome); }
  CompleteOnExit(const CompleteOnExit&) = delete;
  CompleteOnExit& operator=(const CompleteOnExit&) = delete;
  HostOutcome outcome = HostOutcome::kNotContacted;

 private:
  Frontier& frontier_;
  const CrawlJob& job_;
};

bool is_retryable_status(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

// Retry-After as a wait: delta-seconds or an HTTP-date. std::nullopt when absent or invalid.
std::optional<std::chrono::milliseconds> parse_retry_after(const std::string& value) {
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return is_ascii_digit(c); })) {
    if (value.size() > 9) return std::chrono::milliseconds(std::chrono::hours(24 * 365));
    return std::chrono::seconds(std::stol(value));
  }
  const std::time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const auto wait = std::chrono::system_clock::from_time_t(when) - std::chrono::system_clock::now();
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(wait));
}

}  // namespace

PageWorker::PageWorker(const Config& config, Admission& admission, Frontier& frontier,
                       RobotsCache& robots, const CurlShare* share,
                       const std::atomic<std::int64_t>* abort_at)
    : config_(config),
      admission_(admission),
      frontier_(frontier),
      robots_(robots),
      agent_(robots_agent(config)),
      fetcher_(config.fetch, share, abort_at),
      random_(std::random_device{}()) {
  if (config.output.warc.enabled) fetcher_.capture_exchanges();
}

bool PageWorker::retry(const CrawlJob& job, const FetchResponse& response) {
  const bool retryable =
      is_network_failure(response.error_kind) || is_retryable_status(response.status);
  if (!retryable || job.attempt >= config_.politeness.retries) return false;
  const auto max_delay = config_.politeness.max_delay;
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
      config_.politeness.backoff * (1LL << std::min(job.attempt, 20)) *
      std::uniform_real_distribution<double>(0.75, 1.25)(random_));
  const auto retry_after = parse_retry_after(response.retry_after);
  if (retry_after && (response.status == 429 || response.status == 503)) {
    wait = *retry_after;
    // The server asked the whole host to slow down, not just this URL.
    frontier_.pause_host(job.host, Clock::now() + std::min(wait, max_delay));
  }
  wait = std::min(wait, max_delay);
  CrawlJob again = job;
  ++again.attempt;
  frontier_.add_continuation(std::move(again), Clock::now() + wait);
  return true;
}

void PageWorker::process_robots(const CrawlJob& job, HostOutcome& outcome) {
  // RFC 9309: follow at least five redirects; parse at most 500 KiB.
  constexpr int kMaxRobotsRedirects = 5;
  constexpr std::uint64_t kMaxRobotsBytes = std::uint64_t{500} * 1024;
  std::string url = job.url;
  FetchResponse response;
  bool too_many_redirects = true;
  for (int hop = 0; hop <= kMaxRobotsRedirects; ++hop) {
    response = fetcher_.fetch(url, {}, kMaxRobotsBytes);
    if (!is_redirect(response.status) || response.location.empty()) {
      too_many_redirects = false;
      break;
    }
    auto target = resolve_url(url, response.location);
    auto parts = target ? split_url(*target) : std::nullopt;
    if (!parts || !is_http_scheme(parts->scheme)) {
      too_many_redirects = false;
      response.status = 404;  // a redirect nowhere fetchable: as if there were no file
      break;
    }
    url = std::move(*target);
  }
  outcome = response.status > 0 ? HostOutcome::kResponse : HostOutcome::kConnectFailure;

  RobotsRules rules = RobotsRules::allow_all();
  std::string note;
  if (too_many_redirects) {
    note = "robots.txt redirected more than 5 times";
  } else if (response.status >= 200 && response.status < 300) {
    rules = RobotsRules::parse(response.body);  // truncated bodies included: a cut file counts
  } else if (response.status >= 400 && response.status < 500) {
    // RFC 9309 2.3.1.3: unavailable, everything allowed.
  } else {
    // 5xx or no answer: RFC 9309 2.3.1.4 says everything is disallowed until it is reachable,
    // so the origin is tried again later rather than given up at once.
    if (job.attempt < config_.politeness.retries) {
      const auto wait =
          std::min(config_.politeness.max_delay,
                   std::chrono::duration_cast<std::chrono::milliseconds>(
                       config_.politeness.backoff * (1LL << std::min(job.attempt, 20))));
      CrawlJob again = job;
      ++again.attempt;
      frontier_.add_continuation(std::move(again), Clock::now() + wait);
      return;
    }
    rules = RobotsRules::disallow_all();
    note = response.status > 0 ? "robots.txt answered " + std::to_string(response.status)
                               : "robots.txt unreachable: " + response.error;
  }
  std::chrono::milliseconds crawl_delay{0};
  if (auto seconds = rules.crawl_delay(agent_)) {
    crawl_delay = std::min(config_.politeness.max_delay,
                           std::chrono::milliseconds(static_cast<long long>(*seconds * 1000)));
  }
  robots_.put(job.origin, std::move(rules), std::move(note));
  frontier_.robots_ready(job.origin, crawl_delay);
}

namespace {
// The fields every record of `job` has, whatever its outcome.
PageRecord record_for(const CrawlJob& job) {
  PageRecord record;
  record.url = job.requested_url.empty() ? job.url : job.requested_url;
  record.final_url = job.url;
  record.redirects = job.redirects;
  record.depth = job.depth;
  record.referrer = job.referrer;
  record.fetched_at = utc_now_rfc3339();
  record.archived_digest = job.capture_digest;
  record.archived_at = job.captured_at;
  return record;
}
}  // namespace

PageRecord PageWorker::failure_record(const CrawlJob& job, const std::string& error) {
  PageRecord record = record_for(job);
  record.error = "internal error: " + error;
  record.error_kind = ErrorKind::kInternal;
  return record;
}

std::optional<PageRecord> PageWorker::process(CrawlJob& job) {
  CompleteOnExit complete(frontier_, job);
  if (job.kind == CrawlJob::Kind::kRobots) {
    process_robots(job, complete.outcome);
    return std::nullopt;
  }
  PageRecord record = record_for(job);
  if (config_.politeness.robots) {
    const auto rules = robots_.get(job.origin);
    if (rules && !rules->allowed(agent_, job.url)) {
      const std::string note = robots_.note(job.origin);
      record.error =
          note.empty() ? "disallowed by robots.txt" : "disallowed by robots.txt (" + note + ")";
      record.error_kind = ErrorKind::kRobots;
      return record;
    }
  }

  std::vector<std::string> conditional;
  if (!job.etag.empty()) conditional.push_back("If-None-Match: " + job.etag);
  if (!job.last_modified.empty()) {
    conditional.push_back("If-Modified-Since: " + job.last_modified);
  }
  FetchResponse response = fetcher_.fetch(job.url, conditional);
  complete.outcome = response.status > 0 || !is_network_failure(response.error_kind)
                         ? HostOutcome::kResponse
                         : HostOutcome::kConnectFailure;
  // Cut off by the end of a stop's grace period: no record, so the state keeps the URL queued
  // and the next run fetches it.
  if (response.error_kind == ErrorKind::kAborted) return std::nullopt;
  if (retry(job, response)) return std::nullopt;
  if (response.capture) {
    // Here rather than on the writer thread: the workers share the hashing.
    response.capture->payload_digest =
        http_payload_digest(response.capture->response_head, response.capture->response_body);
    job.captures.push_back(std::move(*response.capture));
  }
  record.captures = std::move(job.captures);
  record.status = response.status;
  record.elapsed_ms = response.elapsed.count();
  record.content_type = response.content_type;
  record.bytes = response.body.size();
  record.digest = response.digest;
  record.etag = response.etag;
  record.last_modified = response.last_modified;
  if (response.status == 304 && !conditional.empty()) {
    // Not modified since the last crawl: the known copy stands.
    record.unchanged = true;
    record.etag = response.etag.empty() ? job.etag : response.etag;
    record.last_modified =
        response.last_modified.empty() ? job.last_modified : response.last_modified;
    record.skip_output = config_.output.unchanged == "skip";
    return record;
  }
  if (!response.error.empty()) {
    record.error = response.error;
    record.error_kind = response.error_kind;
    // A body cut at max_body is still a page: its links and text are kept.
    if (!response.truncated) return record;
  }
  if (is_redirect(response.status) && !response.location.empty()) {
    return handle_redirect(job, record, response);
  }
  if (is_retryable_status(response.status)) {
    record.error = "HTTP " + std::to_string(response.status) + " after " +
                   std::to_string(job.attempt + 1) + (job.attempt == 0 ? " try" : " tries");
    record.error_kind = ErrorKind::kHttpStatus;
  }
  if (response.status >= 200 && response.status < 300) handle_page(job, record, response);
  return record;
}

std::optional<PageRecord> PageWorker::handle_redirect(CrawlJob& job, PageRecord& record,
                                                      const FetchResponse& response) {
  const auto fail = [&](std::string error) {
    record.error = std::move(error);
    record.error_kind = ErrorKind::kRedirect;
    return std::optional<PageRecord>(std::move(record));
  };
  const auto target = resolve_url(job.url, response.location);
  if (!target) return fail("redirect to an invalid URL: " + response.location);
  std::vector<std::string> chain = job.redirects;
  chain.push_back(job.url);
  if (std::find(chain.begin(), chain.end(), *target) != chain.end()) {
    return fail("redirect loop");
  }
  if (static_cast<int>(chain.size()) > config_.fetch.max_redirects) {
    return fail("too many redirects (more than " + std::to_string(config_.fetch.max_redirects) +
                ")");
  }
  CrawlJob hop;
  hop.url = *target;
  hop.requested_url = record.url;
  hop.redirects = chain;
  hop.referrer = job.referrer;
  hop.depth = job.depth;
  hop.captures = std::move(record.captures);
  const Admission::HopResult admitted = admission_.admit_redirect(hop);
  // Not queued: the chain ends here, and its record carries the exchanges.
  if (admitted.hop != Admission::Hop::kQueued) record.captures = std::move(hop.captures);
  switch (admitted.hop) {
    case Admission::Hop::kRejected:
      return fail("redirect to " + *target + " not followed: " + describe(admitted.verdict));
    case Admission::Hop::kKnown:
      // The target is (or will be) crawled under its own URL: this record just says where the
      // requested URL leads.
      record.final_url = *target;
      record.redirects = std::move(chain);
      return record;
    case Admission::Hop::kQueued:
      break;
  }
  return std::nullopt;
}

void PageWorker::handle_page(const CrawlJob& job, PageRecord& record, FetchResponse& response) {
  if (!is_html(response.content_type, response.body)) return;
  std::string charset = charset_from_content_type(response.content_type);
  if (charset.empty()) {
    charset = sniff_meta_charset(std::string_view(response.body).substr(0, 1024));
  }
  // Takes the raw bytes: released early when converted, reused when already UTF-8.
  std::string html = move_to_utf8(std::move(response.body), charset);
  response.body = std::string();

  ParseOptions options;
  options.want_text = config_.output.text;
  options.max_links = config_.scope.max_links_per_page;
  // Without text, no tree is needed: the streaming scanner finds the same links, title and
  // metas (tests/unit/link_scanner_test.cc) many times faster than Gumbo, in memory
  // proportional to the links, so it reads the whole page. With text, Gumbo builds the tree
  // anyway and scanning links on top of it was no faster, so Gumbo does both, on at most
  // output.max_text_input bytes (figures: README, "Measurements behind design choices").
  const ParsedPage page =
      config_.output.text
          ? parse_html(parser_input(html, config_.output.max_text_input, record.text_truncated),
                       options)
          : scan_links(html, options);

  record.title = page.title;
  record.links_truncated = page.links_truncated;
  record.noindex = page.meta_noindex || has_token(response.x_robots_tag, "noindex") ||
                   has_token(response.x_robots_tag, "none");
  if (config_.output.text && !record.noindex) record.text = page.text;
  const bool follow = !page.meta_nofollow && !has_token(response.x_robots_tag, "nofollow") &&
                      !has_token(response.x_robots_tag, "none");

  std::string base = job.url;
  if (!page.base_href.empty()) {
    if (auto resolved = resolve_url(job.url, page.base_href)) base = std::move(*resolved);
  }
  const LinkResolver resolver(std::move(base));
  const bool depth_allows = config_.scope.max_depth < 0 || job.depth + 1 <= config_.scope.max_depth;
  FingerprintSet in_page;
  std::vector<CrawlJob> discovered;
  discovered.reserve(page.links.size());
  if (config_.output.links) record.links.reserve(page.links.size());
  for (const RawLink& link : page.links) {
    // resolve_http gives only http(s) URLs that split: admission splits them once, later.
    std::optional<std::string> absolute = resolver.resolve_http(link.href);
    if (!absolute) continue;
    if (!in_page.insert(url_fingerprint(*absolute))) continue;
    if (config_.output.links) record.links.push_back(*absolute);
    if (!follow || (link.nofollow && !config_.politeness.follow_nofollow) || !depth_allows) {
      continue;
    }
    CrawlJob next;
    next.url = std::move(*absolute);
    next.referrer = job.url;
    next.depth = job.depth + 1;
    discovered.push_back(std::move(next));
  }
  admission_.admit_links(std::move(discovered));
  fetcher_.recycle(std::move(html));
}

}  // namespace crawler
