#include "crawler/page_worker.h"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "crawler/charset.h"
#include "crawler/html_parser.h"
#include "crawler/url.h"

namespace crawler {
namespace {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

// HTML is what the server says is HTML; without a Content-Type, what starts like HTML.
bool is_html(std::string_view content_type, std::string_view body) {
  const std::string type = lowercase(content_type.substr(0, content_type.find(';')));
  if (!content_type.empty()) {
    return type.find("text/html") != std::string::npos ||
           type.find("application/xhtml+xml") != std::string::npos;
  }
  const auto start = body.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return false;
  const std::string head = lowercase(body.substr(start, 15));
  return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0;
}

bool has_token(std::string_view header, std::string_view token) {
  return lowercase(header).find(token) != std::string::npos;
}

// Runs `complete` when the job's processing ends, however it ends: the frontier counts the job
// as in flight until then, and a missed call would keep the crawl from ever finishing.
class CompleteOnExit {
 public:
  CompleteOnExit(Frontier& frontier, const CrawlJob& job) : frontier_(frontier), job_(job) {}
  ~CompleteOnExit() { frontier_.complete(job_); }
  CompleteOnExit(const CompleteOnExit&) = delete;
  CompleteOnExit& operator=(const CompleteOnExit&) = delete;

 private:
  Frontier& frontier_;
  const CrawlJob& job_;
};

}  // namespace

PageWorker::PageWorker(const Config& config, const Scope& scope, Frontier& frontier,
                       const CurlShare* share)
    : config_(config), scope_(scope), frontier_(frontier), fetcher_(config.fetch, share) {}

PageRecord PageWorker::failure_record(const CrawlJob& job, const std::string& error) {
  PageRecord record;
  record.url = job.requested_url.empty() ? job.url : job.requested_url;
  record.final_url = job.url;
  record.redirects = job.redirects;
  record.depth = job.depth;
  record.referrer = job.referrer;
  record.fetched_at = utc_now_rfc3339();
  record.error = "internal error: " + error;
  record.error_kind = "internal";
  return record;
}

std::optional<PageRecord> PageWorker::process(CrawlJob& job) {
  CompleteOnExit complete(frontier_, job);
  PageRecord record;
  record.url = job.requested_url.empty() ? job.url : job.requested_url;
  record.final_url = job.url;
  record.redirects = job.redirects;
  record.depth = job.depth;
  record.referrer = job.referrer;
  record.fetched_at = utc_now_rfc3339();

  FetchResponse response = fetcher_.fetch(job.url);
  record.status = response.status;
  record.elapsed_ms = response.elapsed.count();
  record.content_type = response.content_type;
  record.bytes = response.body.size();
  record.digest = response.digest;
  if (!response.error.empty()) {
    record.error = response.error;
    record.error_kind = response.error_kind;
    // A body cut at max_body is still a page: its links and text are kept.
    if (!response.truncated) return record;
  }
  if (is_redirect(response.status) && !response.location.empty()) {
    return handle_redirect(job, record, response);
  }
  if (response.status >= 200 && response.status < 300) handle_page(job, record, response);
  return record;
}

std::optional<PageRecord> PageWorker::handle_redirect(CrawlJob& job, PageRecord& record,
                                                      const FetchResponse& response) {
  const auto fail = [&](std::string error) {
    record.error = std::move(error);
    record.error_kind = "redirect";
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
  const auto parts = split_url(*target);
  const ScopeVerdict verdict =
      parts ? scope_.check(*target, *parts) : ScopeVerdict::kUnsupportedScheme;
  if (verdict != ScopeVerdict::kInScope) {
    return fail("redirect to " + *target + " not followed: " + describe(verdict));
  }
  if (!frontier_.mark_seen(*target)) {
    // The target is (or will be) crawled under its own URL: this record just says where the
    // requested URL leads.
    record.final_url = *target;
    record.redirects = std::move(chain);
    return record;
  }
  CrawlJob hop;
  hop.url = *target;
  hop.requested_url = record.url;
  hop.redirects = std::move(chain);
  hop.referrer = job.referrer;
  hop.depth = job.depth;
  hop.host = parts->host;
  frontier_.add_continuation(std::move(hop), Clock::now());
  return std::nullopt;
}

void PageWorker::handle_page(const CrawlJob& job, PageRecord& record, FetchResponse& response) {
  if (!is_html(response.content_type, response.body)) return;
  std::string charset = charset_from_content_type(response.content_type);
  if (charset.empty()) {
    charset = sniff_meta_charset(std::string_view(response.body).substr(0, 1024));
  }
  const std::string html = to_utf8(response.body, charset);
  response.body = std::string();  // release the raw bytes early: only `html` is used now

  ParseOptions options;
  options.want_text = config_.output.text;
  options.max_links = config_.scope.max_links_per_page;
  const ParsedPage page = parse_html(html, options);

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
  const bool depth_allows = config_.scope.max_depth < 0 || job.depth + 1 <= config_.scope.max_depth;
  std::unordered_set<std::uint64_t> in_page;
  in_page.reserve(page.links.size());
  for (const RawLink& link : page.links) {
    auto absolute = resolve_url(base, link.href);
    if (!absolute) continue;
    auto parts = split_url(*absolute);
    if (!parts || !is_http_scheme(parts->scheme)) continue;
    if (!in_page.insert(url_fingerprint(*absolute)).second) continue;
    if (config_.output.links) record.links.push_back(*absolute);
    if (!follow || link.nofollow || !depth_allows) continue;
    if (scope_.check(*absolute, *parts) != ScopeVerdict::kInScope) continue;
    CrawlJob next;
    next.url = std::move(*absolute);
    next.referrer = job.url;
    next.depth = job.depth + 1;
    next.host = std::move(parts->host);
    frontier_.add(std::move(next));
  }
}

}  // namespace crawler
