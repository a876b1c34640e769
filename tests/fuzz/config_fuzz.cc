// Fuzzes the config loader (crawler/config.h parse_config). Every input must either throw
// ConfigError with a one-line message naming the file, or return a valid Config: every value in
// its documented range, seeds normalised http(s) URLs. A returned Config must also survive
// describe_config (crawler --check) and parse back to the same settings. Any other exception
// escapes and is reported by libFuzzer as a crash.
//
// Input: the YAML text. Relative seeds_file paths resolve against a scratch folder holding
// "seeds.txt", so the seeds-file path is reachable too.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

#include "crawler/config.h"
#include "crawler/url/url.h"

namespace {

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "config_fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

constexpr const char* kSource = "fuzz.yaml";

// A scratch folder with a small seeds file, removed at exit.
class ScratchDir {
 public:
  ScratchDir()
      : path_(std::filesystem::temp_directory_path() /
              ("crawler-config-fuzz-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
    std::ofstream(path_ / "seeds.txt")
        << "# seeds\nhttp://example.com/\n  HTTPS://a.example:443/x/../y \n\n";
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

const std::filesystem::path& scratch_dir() {
  static const ScratchDir dir;
  return dir.path();
}

bool is_lowercase(std::string_view text) {
  for (const char c : text) {
    if (c >= 'A' && c <= 'Z') return false;
  }
  return true;
}

void check_valid(const crawler::Config& c) {
  for (const std::string& seed : c.seeds) {
    check(crawler::normalize_url(seed) == seed, "seed not normalised");
    const auto parts = crawler::split_url(seed);
    check(parts && crawler::is_http_scheme(parts->scheme), "seed not http(s)");
  }
  for (const std::string& domain : c.scope.domains) check(is_lowercase(domain), "domain case");
  check(c.scope.max_depth >= -1 && c.scope.max_depth <= 1000000, "scope.max_depth range");
  check(c.scope.max_links_per_page >= 1 && c.scope.max_links_per_page <= 10000000,
        "scope.max_links_per_page range");
  check(c.scope.max_url_length >= 16 && c.scope.max_url_length <= 65536,
        "scope.max_url_length range");
  check(c.pool.workers >= 1 && c.pool.workers <= 4096, "pool.workers range");
  check(c.pool.queue_capacity >= 1 && c.pool.queue_capacity <= 10000000,
        "pool.queue_capacity range");
  check(c.fetch.timeout.count() > 0 && c.fetch.connect_timeout.count() > 0, "fetch timeouts");
  check(c.fetch.max_redirects >= 0 && c.fetch.max_redirects <= 50, "fetch.max_redirects range");
  check(c.fetch.max_body > 0, "fetch.max_body is 0");
  check(!c.output.dir.empty(), "output.dir empty");
  check(c.output.unchanged == "record" || c.output.unchanged == "skip", "output.unchanged");
  const std::filesystem::path pages(c.output.pages);
  check(!c.output.pages.empty() && !pages.has_parent_path() && c.output.pages != "." &&
            c.output.pages != "..",
        "output.pages not a plain file name");
  const auto& p = c.politeness;
  check(p.delay.count() >= 0 && p.max_delay.count() >= 0 && p.backoff.count() >= 0,
        "negative politeness duration");
  check(p.per_host >= 1 && p.per_host <= 1000, "politeness.per_host range");
  check(p.retries >= 0 && p.retries <= 100, "politeness.retries range");
  check(c.state.recrawl_after.count() >= 0, "negative state.recrawl_after");
  check(c.state.frontier_memory >= 1000 && c.state.frontier_memory <= 1000000000,
        "state.frontier_memory range");
  check(crawler::is_log_level(c.log.level), "log.level");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  crawler::Config config;
  try {
    config = crawler::parse_config(yaml, kSource, scratch_dir());
  } catch (const crawler::ConfigError& e) {
    const std::string_view message = e.what();
    check(message.find('\n') == std::string_view::npos, "multi-line ConfigError");
    check(message.starts_with(kSource) || message.starts_with(scratch_dir().string()),
          "ConfigError does not name the file");
    return 0;
  }
  check_valid(config);

  // What `crawler --check` prints is a config file meaning the same.
  const std::string described = crawler::describe_config(config);
  crawler::Config reparsed;
  try {
    reparsed = crawler::parse_config(described, kSource, scratch_dir());
  } catch (const crawler::ConfigError& e) {
    std::fprintf(stderr, "%s\n---\n%s\n", e.what(), described.c_str());
    check(false, "describe_config output does not parse");
  }
  check(crawler::describe_config(reparsed) == described, "describe_config does not round-trip");
  return 0;
}
