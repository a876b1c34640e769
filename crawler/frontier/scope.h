// Scope: which normalised URLs a crawl may fetch. Decided once per URL, before it enters the
// frontier, and again for every redirect hop. Immutable after construction, so workers call
// check() concurrently without locks (RE2 matching is thread-safe). The trap limits it enforces
// (max_url_length, max_repeated_segments) are reported to a CrawlLimits when one is given.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "crawler/config.h"
#include "crawler/frontier/crawl_limits.h"
#include "crawler/url/url.h"

namespace re2 {
class RE2;
}

namespace crawler {

enum class ScopeVerdict {
  kInScope,
  kUnsupportedScheme,  // not http or https
  kOffDomain,          // host outside scope.domains
  kExcluded,           // matched an exclude regex
  kNotIncluded,        // include regexes given and none matched
  kTooLong,            // longer than scope.max_url_length
  kRepeatedSegments,   // a path segment occurs more than scope.max_repeated_segments times
};

// A short reason for records and logs, e.g. "out of scope (domain)".
const char* describe(ScopeVerdict verdict);

class Scope {
 public:
  // A scope.domains entry is "host" (any port) or "host:port". When scope.domains is empty the
  // seeds' hosts with their ports are the scope, so another port on the same host (another
  // service) is out of scope by default. Throws ConfigError on a regex that does not compile.
  // `limits`, when given, counts the URLs cut by a trap limit; it must outlive the Scope.
  Scope(const ScopeConfig& config, const std::vector<std::string>& seeds,
        CrawlLimits* limits = nullptr);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  ScopeVerdict check(std::string_view normalized_url, const UrlView& parts) const;
  ScopeVerdict check(std::string_view normalized_url) const;

  struct Domain {
    std::string host;
    int port = 0;  // 0: any port
    bool operator<(const Domain& o) const {
      return std::tie(host, port) < std::tie(o.host, o.port);
    }
    bool operator==(const Domain& o) const = default;
  };
  const std::vector<Domain>& domains() const { return domains_; }

 private:
  bool host_allowed(const UrlView& parts) const;

  std::vector<Domain> domains_;
  bool subdomains_;
  std::size_t max_url_length_;
  int max_repeated_segments_;
  CrawlLimits* limits_;
  std::vector<std::unique_ptr<re2::RE2>> include_;
  std::vector<std::unique_ptr<re2::RE2>> exclude_;
};

}  // namespace crawler
