// The crawl configuration: the YAML file's schema, its defaults, and its validation.
//
// Every section validates itself: it reads only its own keys, rejects unknown ones (naming the
// closest valid key) and checks types and ranges, throwing ConfigError with a one-line message
// "FILE:LINE:COL: KEY: problem; fix". The loader never returns a half-valid Config.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

class ConfigError : public std::runtime_error {
 public:
  // Control characters in `message` (a YAML key or value can hold any) are written as escapes
  // such as "\n", so that the error is always one line.
  explicit ConfigError(const std::string& message);
};

using Millis = std::chrono::milliseconds;

struct ScopeConfig {
  std::vector<std::string> domains;  // empty: the seeds' hosts
  bool subdomains = false;
  std::vector<std::string> include;  // regexes (RE2 syntax)
  std::vector<std::string> exclude;
  int max_depth = -1;           // -1: no limit
  std::uint64_t max_pages = 0;  // 0: no limit
  std::size_t max_links_per_page = 10000;
  std::size_t max_url_length = 2048;
  std::uint64_t max_pages_per_host = 0;  // new URLs admitted per host in one run; 0: no limit
  int max_repeated_segments = 3;  // a path segment occurring more often: out of scope; 0: off
};

struct PoolConfig {
  std::size_t workers = 32;
  std::size_t queue_capacity = 1024;
};

struct FetchConfig {
  std::string user_agent;  // default filled by default_user_agent()
  Millis timeout{30000};
  Millis connect_timeout{10000};
  int max_redirects = 5;
  std::uint64_t max_body = 10ull << 20;
  std::map<std::string, std::string> headers;
  std::string proxy;
  std::uint64_t low_speed_limit = 1024;  // bytes/s; slower for low_speed_time aborts; 0: off
  Millis low_speed_time{10000};
  bool insecure = false;  // accept any TLS certificate (self-signed, expired, wrong host)
  // PEM file of the CA certificates to trust instead of the system's bundle ("" = system's).
  std::string ca_file;
};

// output.warc: the HTTP exchanges as WARC 1.1 files in output.dir (README: WARC output).
struct WarcConfig {
  bool enabled = false;
  std::string prefix = "crawl";                     // file names: PREFIX-<time>-<serial>-<host>
  std::uint64_t max_size = std::uint64_t{1} << 30;  // a new file once one holds this much
  std::string operator_name;  // warcinfo "operator": who ran the crawl ("" = not written)
  bool cdx = true;            // a sorted CDXJ index beside each closed file
};

struct OutputConfig {
  std::string dir = "out";
  std::string pages = "pages.jsonl";
  bool text = true;
  bool links = true;
  // HTML bytes given to the HTML parser (Gumbo needs ~70 bytes of RAM per byte of dense
  // markup); past it the page's text, title and links come from its start only.
  std::uint64_t max_text_input = 2ull << 20;
  std::string unchanged = "record";  // record | skip: what a 304 Not Modified produces
  WarcConfig warc;
};

struct PolitenessConfig {
  bool robots = true;                   // obey robots.txt
  std::string robots_agent;             // product token; "" = user_agent's first word before '/'
  Millis robots_ttl{24 * 3600 * 1000};  // an origin's robots.txt is fetched again after this
  Millis delay{1000};                   // minimum gap between two requests to one host
  Millis max_delay{30000};              // cap for Crawl-delay and Retry-After
  std::size_t per_host = 2;             // requests in flight to one host at once
  int retries = 3;                      // extra tries after a retryable failure
  Millis backoff{1000};                 // first retry wait; doubles each try, with jitter
  bool follow_nofollow = false;
};

struct StateConfig {
  std::string dir = "state";               // SQLite database and lock; "" = no state (one-shot)
  Millis recrawl_after{24 * 3600 * 1000};  // known pages older than this are re-fetched
  std::size_t frontier_memory = 100000;    // queued URLs kept in RAM; the rest wait in state.db
};

struct LogConfig {
  std::string level = "info";
  std::string file;
};

struct Config {
  std::vector<std::string> seeds;  // normalised absolute http(s) URLs, seeds_file merged in
  std::string seeds_file;
  ScopeConfig scope;
  PoolConfig pool;
  FetchConfig fetch;
  OutputConfig output;
  PolitenessConfig politeness;
  StateConfig state;
  LogConfig log;
};

// The product token matched against robots.txt User-agent lines.
std::string robots_agent(const Config& config);

// "crawler/<version>": no contact of its own, since whoever runs the crawl is the contact.
std::string default_user_agent();

// The start-of-crawl warning when the User-Agent names no contact (no URL, no e-mail address)
// while a seed is not on this machine (loopback); std::nullopt otherwise.
std::optional<std::string> user_agent_warning(const Config& config);

// Parses YAML text. `source` names the file in error messages; relative paths inside the
// config (seeds_file) are resolved against `base_dir`.
Config parse_config(std::string_view yaml, const std::string& source,
                    const std::filesystem::path& base_dir);

// Reads and parses a config file. A missing or unreadable file is a ConfigError.
Config load_config(const std::filesystem::path& path);

// Checks cross-field rules after command-line overrides (e.g. at least one seed).
void validate_config(const Config& config);

// Normalises one seed URL; ConfigError naming `where` and the seed when it is not an absolute
// http(s) URL.
std::string normalize_seed(const std::string& seed, const std::string& where);
bool is_log_level(std::string_view level);

// The effective settings as YAML, for `crawler --check`.
std::string describe_config(const Config& config);

// "250ms", "30s", "5m", "1h" (and "0"). Throws std::invalid_argument with the reason.
Millis parse_duration(std::string_view text);
// "512", "64KiB", "10MiB", "1GiB" (and "B", "KB"/"MB"/"GB" as powers of 1000).
std::uint64_t parse_size(std::string_view text);
std::string format_duration(Millis d);
std::string format_size(std::uint64_t bytes);

}  // namespace crawler
