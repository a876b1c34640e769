#include "crawler/frontier/scope.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace crawler {
namespace {

std::vector<std::unique_ptr<re2::RE2>> compile(const std::vector<std::string>& patterns,
                                               const char* key) {
  std::vector<std::unique_ptr<re2::RE2>> compiled;
  RE2::Options options;
  options.set_log_errors(false);
  for (const auto& pattern : patterns) {
    auto re = std::make_unique<re2::RE2>(pattern, options);
    if (!re->ok()) {
      throw ConfigError(std::string(key) + ": invalid regex '" + pattern + "': " + re->error());
    }
    compiled.push_back(std::move(re));
  }
  return compiled;
}

// True when a segment of `path` (up to its query) occurs more than `max` times: /a/a/a/a, or
// /x/y/x/y/x/y/x/y, the shape of relative links that resolve deeper on every page.
bool repeats_a_segment(std::string_view path, int max) {
  path = path.substr(0, path.find('?'));
  std::vector<std::string_view> segments;
  const auto for_each_segment = [path](auto&& visit) {
    std::string_view rest = path;
    while (!rest.empty()) {
      if (rest.front() == '/') {
        rest.remove_prefix(1);
        continue;
      }
      const std::string_view segment = rest.substr(0, rest.find('/'));
      rest.remove_prefix(segment.size());
      visit(segment);
    }
  };
  // Every link passes here: most paths have too few segments to repeat one, which counting
  // tells without allocating; a sorted copy beats a hash map for the rest.
  std::size_t count = 0;
  for_each_segment([&count](std::string_view) { ++count; });
  if (count <= static_cast<std::size_t>(max)) return false;
  segments.reserve(count);
  for_each_segment([&segments](std::string_view segment) { segments.push_back(segment); });
  std::sort(segments.begin(), segments.end());
  std::size_t run = 1;
  for (std::size_t i = 1; i < segments.size(); ++i) {
    run = segments[i] == segments[i - 1] ? run + 1 : 1;
    if (run > static_cast<std::size_t>(max)) return true;
  }
  return false;
}

}  // namespace

const char* describe(ScopeVerdict verdict) {
  switch (verdict) {
    case ScopeVerdict::kInScope:
      return "in scope";
    case ScopeVerdict::kUnsupportedScheme:
      return "unsupported scheme";
    case ScopeVerdict::kOffDomain:
      return "out of scope (domain)";
    case ScopeVerdict::kExcluded:
      return "out of scope (exclude rule)";
    case ScopeVerdict::kNotIncluded:
      return "out of scope (no include rule matched)";
    case ScopeVerdict::kTooLong:
      return "URL longer than scope.max_url_length";
    case ScopeVerdict::kRepeatedSegments:
      return "path repeats a segment more than scope.max_repeated_segments times";
  }
  return "out of scope";
}

Scope::Scope(const ScopeConfig& config, const std::vector<std::string>& seeds, CrawlLimits* limits)
    : subdomains_(config.subdomains),
      max_url_length_(config.max_url_length),
      max_repeated_segments_(config.max_repeated_segments),
      limits_(limits),
      include_(compile(config.include, "scope.include")),
      exclude_(compile(config.exclude, "scope.exclude")) {
  for (const auto& entry : config.domains) {
    Domain domain{entry, 0};
    const auto colon = entry.rfind(':');
    if (colon != std::string::npos && entry.find(']', colon) == std::string::npos) {
      const std::string port = entry.substr(colon + 1);
      char* end = nullptr;
      const long value = std::strtol(port.c_str(), &end, 10);
      if (port.empty() || *end != 0 || value <= 0 || value > 65535) {
        throw ConfigError("scope.domains: '" + entry + "' has a bad port; write host or host:port");
      }
      domain = Domain{entry.substr(0, colon), static_cast<int>(value)};
    }
    domains_.push_back(std::move(domain));
  }
  if (domains_.empty()) {
    for (const auto& seed : seeds) {
      if (auto parts = split_url(seed)) domains_.push_back(Domain{parts->host, parts->port});
    }
  }
  std::sort(domains_.begin(), domains_.end());
  domains_.erase(std::unique(domains_.begin(), domains_.end()), domains_.end());
}

Scope::~Scope() = default;

bool Scope::host_allowed(const UrlView& parts) const {
  const std::string_view host = parts.host;
  for (const auto& domain : domains_) {
    if (domain.port != 0 && domain.port != parts.port) continue;
    if (host == domain.host) return true;
    if (subdomains_ && host.size() > domain.host.size() + 1 && host.ends_with(domain.host) &&
        host[host.size() - domain.host.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

ScopeVerdict Scope::check(std::string_view normalized_url, const UrlView& parts) const {
  if (!is_http_scheme(parts.scheme)) return ScopeVerdict::kUnsupportedScheme;
  if (!host_allowed(parts)) return ScopeVerdict::kOffDomain;
  // The trap limits come after the domain check, so only the crawl's own hosts count as cut.
  if (normalized_url.size() > max_url_length_) {
    if (limits_ != nullptr) limits_->cut(Limit::kMaxUrlLength, parts.host, normalized_url);
    return ScopeVerdict::kTooLong;
  }
  if (max_repeated_segments_ > 0 &&
      repeats_a_segment(parts.path_and_query, max_repeated_segments_)) {
    if (limits_ != nullptr) limits_->cut(Limit::kMaxRepeatedSegments, parts.host, normalized_url);
    return ScopeVerdict::kRepeatedSegments;
  }
  const re2::StringPiece text(normalized_url.data(), normalized_url.size());
  for (const auto& re : exclude_) {
    if (RE2::PartialMatch(text, *re)) return ScopeVerdict::kExcluded;
  }
  if (!include_.empty()) {
    const bool any = std::any_of(include_.begin(), include_.end(),
                                 [&](const auto& re) { return RE2::PartialMatch(text, *re); });
    if (!any) return ScopeVerdict::kNotIncluded;
  }
  return ScopeVerdict::kInScope;
}

ScopeVerdict Scope::check(std::string_view normalized_url) const {
  const auto parts = split_url_view(normalized_url);
  if (!parts) return ScopeVerdict::kUnsupportedScheme;
  return check(normalized_url, *parts);
}

}  // namespace crawler
