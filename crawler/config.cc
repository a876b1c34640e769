#include "crawler/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "crawler/url/url.h"
#include "crawler/util/ascii.h"

namespace crawler {
namespace {

std::string escape_control_characters(const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7F) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string scalar_text(const YAML::Node& node) {
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "nothing";
}

// One mapping of the config file. Each read() marks its key as known and converts the value;
// finish() rejects every key nobody read, so a typo never passes silently.
class Section {
 public:
  Section(const YAML::Node& node, std::string prefix, const std::string& source)
      : node_(node), prefix_(std::move(prefix)), source_(source) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) {
      fail(node_, "expected a mapping of keys, got " + scalar_text(node_));
    }
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    throw ConfigError(where(source_, at.Mark()) + ": " + what);
  }
  [[noreturn]] void fail_key(const char* key, const YAML::Node& at, const std::string& what) const {
    fail(at, prefix_ + key + ": " + what);
  }

  // Returns the value node of `key`, or an undefined node when absent or null.
  YAML::Node value(const char* key) {
    known_.insert(key);
    if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    YAML::Node v = node_[key];
    if (!v || v.IsNull()) return YAML::Node(YAML::NodeType::Undefined);
    return v;
  }

  void read(const char* key, bool& out) {
    YAML::Node v = value(key);
    if (!v) return;
    if (!v.IsScalar()) fail_key(key, v, "expected true or false, got " + scalar_text(v));
    try {
      out = v.as<bool>();
    } catch (const YAML::Exception&) {
      fail_key(key, v, "expected true or false, got " + scalar_text(v));
    }
  }

  void read(const char* key, std::string& out) {
    YAML::Node v = value(key);
    if (!v) return;
    if (!v.IsScalar()) fail_key(key, v, "expected a string, got " + scalar_text(v));
    out = v.Scalar();
  }

  void read_int(const char* key, long long& out, long long min, long long max) {
    YAML::Node v = value(key);
    if (!v) return;
    const std::string range =
        "expected an integer from " + std::to_string(min) +
        (max == std::numeric_limits<long long>::max() ? " up" : " to " + std::to_string(max));
    if (!v.IsScalar()) fail_key(key, v, range + ", got " + scalar_text(v));
    long long parsed = 0;
    try {
      parsed = v.as<long long>();
    } catch (const YAML::Exception&) {
      fail_key(key, v, range + ", got " + scalar_text(v));
    }
    if (parsed < min || parsed > max) fail_key(key, v, range + ", got " + scalar_text(v));
    out = parsed;
  }

  template <typename Int>
  void read(const char* key, Int& out, long long min,
            long long max = std::numeric_limits<long long>::max()) {
    long long wide = static_cast<long long>(out);
    read_int(key, wide, min, max);
    out = static_cast<Int>(wide);
  }

  void read(const char* key, std::vector<std::string>& out) {
    YAML::Node v = value(key);
    if (!v) return;
    if (v.IsScalar()) {  // a single string is accepted as a list of one
      out = {v.Scalar()};
      return;
    }
    if (!v.IsSequence()) fail_key(key, v, "expected a list of strings, got " + scalar_text(v));
    out.clear();
    for (const auto& item : v) {
      if (!item.IsScalar()) fail_key(key, item, "expected a string, got " + scalar_text(item));
      out.push_back(item.Scalar());
    }
  }

  void read(const char* key, std::map<std::string, std::string>& out) {
    YAML::Node v = value(key);
    if (!v) return;
    if (!v.IsMap()) fail_key(key, v, "expected a mapping of strings, got " + scalar_text(v));
    out.clear();
    for (const auto& item : v) {
      if (!item.second.IsScalar()) {
        fail_key(key, item.second, "expected a string value, got " + scalar_text(item.second));
      }
      out[item.first.Scalar()] = item.second.Scalar();
    }
  }

  void read_duration(const char* key, Millis& out) {
    YAML::Node v = value(key);
    if (!v) return;
    if (!v.IsScalar()) fail_key(key, v, "expected a duration like 500ms, 30s, 5m or 1h");
    try {
      out = parse_duration(v.Scalar());
    } catch (const std::invalid_argument& e) {
      fail_key(key, v, e.what());
    }
  }

  void read_size(const char* key, std::uint64_t& out) {
    YAML::Node v = value(key);
    if (!v) return;
    if (!v.IsScalar()) fail_key(key, v, "expected a size like 512KiB, 10MiB or 1GiB");
    try {
      out = parse_size(v.Scalar());
    } catch (const std::invalid_argument& e) {
      fail_key(key, v, e.what());
    }
  }

  // The section under `key`, its keys named "<prefix><key>.<name>" in errors.
  Section child(const char* key) { return Section(subsection(key), prefix_ + key + ".", source_); }

  YAML::Node subsection(const char* key) {
    known_.insert(key);
    if (!node_ || !node_.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    return node_[key];
  }

  void finish() const {
    if (!node_ || !node_.IsMap()) return;
    std::set<std::string> keys;
    for (const auto& item : node_) {
      const std::string key = item.first.Scalar();
      if (!keys.insert(key).second) {
        fail(item.first, "duplicate key '" + prefix_ + key + "'; give each key once");
      }
      if (known_.count(key) != 0) continue;
      std::string best;
      std::size_t best_distance = std::numeric_limits<std::size_t>::max();
      for (const auto& candidate : known_) {
        const std::size_t d = edit_distance(key, candidate);
        if (d < best_distance) {
          best_distance = d;
          best = candidate;
        }
      }
      std::string message = "unknown key '" + prefix_ + key + "'";
      if (!best.empty()) message += "; did you mean '" + prefix_ + best + "'?";
      fail(item.first, message);
    }
  }

 private:
  YAML::Node node_;
  std::string prefix_;
  const std::string& source_;
  std::set<std::string> known_;
};

void read_scope(Section section, ScopeConfig& scope) {
  section.read("domains", scope.domains);
  section.read("subdomains", scope.subdomains);
  section.read("include", scope.include);
  section.read("exclude", scope.exclude);
  section.read("max_depth", scope.max_depth, -1, 1000000);
  section.read("max_pages", scope.max_pages, 0);
  section.read("max_links_per_page", scope.max_links_per_page, 1, 10000000);
  section.read("max_url_length", scope.max_url_length, 16, 65536);
  section.read("max_pages_per_host", scope.max_pages_per_host, 0);
  section.read("max_repeated_segments", scope.max_repeated_segments, 0, 1000);
  for (auto& domain : scope.domains) domain = ascii_lower_copy(domain);
  section.finish();
}

void read_pool(Section section, PoolConfig& pool) {
  section.read("workers", pool.workers, 1, 4096);
  section.read("queue_capacity", pool.queue_capacity, 1, 10000000);
  section.finish();
}

void read_fetch(Section section, FetchConfig& fetch, const std::filesystem::path& base_dir) {
  section.read("user_agent", fetch.user_agent);
  section.read_duration("timeout", fetch.timeout);
  section.read_duration("connect_timeout", fetch.connect_timeout);
  section.read("max_redirects", fetch.max_redirects, 0, 50);
  section.read_size("max_body", fetch.max_body);
  section.read("headers", fetch.headers);
  section.read("proxy", fetch.proxy);
  section.read_size("low_speed_limit", fetch.low_speed_limit);
  section.read_duration("low_speed_time", fetch.low_speed_time);
  section.read("insecure", fetch.insecure);
  section.read("ca_file", fetch.ca_file);
  // Relative to the config file, like seeds_file, so a config and its CA travel together.
  if (!fetch.ca_file.empty() && std::filesystem::path(fetch.ca_file).is_relative()) {
    fetch.ca_file = (base_dir / fetch.ca_file).string();
  }
  if (!fetch.ca_file.empty() && !std::ifstream(fetch.ca_file).good()) {
    section.fail_key("ca_file", section.value("ca_file"),
                     "cannot read '" + fetch.ca_file +
                         "': give a readable PEM file of CA certificates, or \"\" for the "
                         "system's");
  }
  if (fetch.low_speed_time.count() < 1000 || fetch.low_speed_time.count() % 1000 != 0) {
    section.fail_key("low_speed_time", section.value("low_speed_time"),
                     "must be whole seconds, at least 1s (curl checks the speed once a second)");
  }
  if (fetch.timeout.count() <= 0) {
    section.fail_key("timeout", section.value("timeout"), "must be greater than 0");
  }
  if (fetch.connect_timeout.count() <= 0) {
    section.fail_key("connect_timeout", section.value("connect_timeout"), "must be greater than 0");
  }
  if (fetch.max_body == 0) {
    section.fail_key("max_body", section.value("max_body"), "must be greater than 0");
  }
  section.finish();
}

void read_warc(Section section, WarcConfig& warc) {
  section.read("enabled", warc.enabled);
  section.read("prefix", warc.prefix);
  section.read_size("max_size", warc.max_size);
  section.read("operator", warc.operator_name);
  section.read("cdx", warc.cdx);
  const bool plain = !warc.prefix.empty() &&
                     std::all_of(warc.prefix.begin(), warc.prefix.end(),
                                 [](char c) {
                                   return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                          (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                                          c == '.';
                                 }) &&
                     warc.prefix.front() != '.';
  if (!plain) {
    section.fail_key("prefix", section.value("prefix"),
                     "must be letters, digits, '-', '_' or '.' (not first), got '" + warc.prefix +
                         "': it starts each WARC file's name in output.dir");
  }
  if (warc.max_size == 0) {
    section.fail_key("max_size", section.value("max_size"), "must be greater than 0");
  }
  section.finish();
}

void read_output(Section section, OutputConfig& output) {
  read_warc(section.child("warc"), output.warc);
  section.read("dir", output.dir);
  section.read("pages", output.pages);
  section.read("text", output.text);
  section.read("links", output.links);
  section.read_size("max_text_input", output.max_text_input);
  if (output.max_text_input == 0) {
    section.fail_key("max_text_input", section.value("max_text_input"), "must be greater than 0");
  }
  section.read("unchanged", output.unchanged);
  if (output.unchanged != "record" && output.unchanged != "skip") {
    section.fail_key("unchanged", section.value("unchanged"),
                     "expected record or skip, got '" + output.unchanged + "'");
  }
  const std::filesystem::path pages(output.pages);
  if (output.pages.empty() || pages.has_parent_path() || pages.is_absolute() ||
      output.pages == "." || output.pages == "..") {
    section.fail_key("pages", section.value("pages"),
                     "must be a plain file name inside output.dir, got '" + output.pages + "'");
  }
  if (output.dir.empty()) {
    section.fail_key("dir", section.value("dir"), "must not be empty");
  }
  section.finish();
}

void read_politeness(Section section, PolitenessConfig& p) {
  section.read("robots", p.robots);
  section.read("robots_agent", p.robots_agent);
  section.read_duration("robots_ttl", p.robots_ttl);
  if (p.robots_ttl.count() < 1000) {
    section.fail_key("robots_ttl", section.value("robots_ttl"),
                     "must be at least 1s (RFC 9309 suggests 24h)");
  }
  section.read_duration("delay", p.delay);
  section.read_duration("max_delay", p.max_delay);
  section.read("per_host", p.per_host, 1, 1000);
  section.read("retries", p.retries, 0, 100);
  section.read_duration("backoff", p.backoff);
  section.read("follow_nofollow", p.follow_nofollow);
  section.finish();
}

void read_state(Section section, StateConfig& state) {
  section.read("dir", state.dir);
  section.read_duration("recrawl_after", state.recrawl_after);
  section.read("frontier_memory", state.frontier_memory, 1000, 1000000000);
  section.finish();
}

const std::vector<std::string>& log_levels() {
  static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error"};
  return levels;
}

void read_log(Section section, LogConfig& log) {
  section.read("level", log.level);
  section.read("file", log.file);
  if (!is_log_level(log.level)) {
    section.fail_key("level", section.value("level"),
                     "expected one of trace|debug|info|warn|error, got '" + log.level + "'");
  }
  section.finish();
}

// Returns (line number, URL) pairs so a bad seed can be reported at its line.
std::vector<std::pair<int, std::string>> read_seeds_file(const std::filesystem::path& path,
                                                         const std::string& source) {
  // A device or FIFO ("/dev/zero", "/dev/stdin") would never end or block the start.
  std::error_code error;
  std::ifstream in;
  if (std::filesystem::is_regular_file(path, error)) in.open(path);
  if (!in.is_open()) {
    throw ConfigError(source + ": seeds_file: cannot read '" + path.string() +
                      "'; check the path (relative paths are resolved against the config "
                      "file's folder)");
  }
  std::vector<std::pair<int, std::string>> seeds;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    const auto end = line.find_last_not_of(" \t\r");
    seeds.emplace_back(number, line.substr(begin, end - begin + 1));
  }
  return seeds;
}

}  // namespace

ConfigError::ConfigError(const std::string& message)
    : std::runtime_error(escape_control_characters(message)) {}

std::string normalize_seed(const std::string& seed, const std::string& where_text) {
  auto normalized = normalize_url(seed);
  if (!normalized) {
    throw ConfigError(where_text + ": seed '" + seed +
                      "' is not a valid absolute URL; write it like https://example.com/");
  }
  auto parts = split_url(*normalized);
  if (!parts || !is_http_scheme(parts->scheme)) {
    throw ConfigError(where_text + ": seed '" + seed +
                      "' is not http or https; only http:// and https:// URLs are crawled");
  }
  return *normalized;
}

bool is_log_level(std::string_view level) {
  const auto& levels = log_levels();
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

std::string robots_agent(const Config& config) {
  if (!config.politeness.robots_agent.empty()) return config.politeness.robots_agent;
  const std::string& ua = config.fetch.user_agent;
  const auto end = ua.find_first_of("/ \t");
  return ua.substr(0, end);
}

std::string default_user_agent() { return std::string("crawler/") + CRAWLER_VERSION; }

namespace {

// Hosts a crawl of one's own machine uses: nobody else's server is asked anything.
bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host.ends_with(".localhost") || host == "[::1]") return true;
  // 127.0.0.0/8 as a dotted address, not a name that merely starts with "127.".
  return host.starts_with("127.") && std::all_of(host.begin(), host.end(), [](char c) {
           return is_ascii_digit(c) || c == '.';
         });
}

// A User-Agent a site owner can reach someone through: a URL or an e-mail address.
bool names_a_contact(std::string_view agent) {
  return agent.find("http://") != std::string_view::npos ||
         agent.find("https://") != std::string_view::npos ||
         agent.find('@') != std::string_view::npos;
}

}  // namespace

std::optional<std::string> user_agent_warning(const Config& config) {
  if (names_a_contact(config.fetch.user_agent)) return std::nullopt;
  for (const std::string& seed : config.seeds) {
    const auto parts = split_url_view(seed);
    if (parts && is_loopback_host(parts->host)) continue;
    return "the User-Agent \"" + config.fetch.user_agent +
           "\" names no contact, so the owners of the sites crawled cannot reach you; set "
           "fetch.user_agent to e.g. \"mycrawler/1.0 (+https://example.org/crawler; "
           "ops@example.org)\"";
  }
  return std::nullopt;
}

Millis parse_duration(std::string_view text) {
  const std::string original(text);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  std::size_t digits = 0;
  while (digits < text.size() && (is_ascii_digit(text[digits]) || text[digits] == '.')) {
    ++digits;
  }
  const std::string number(text.substr(0, digits));
  const std::string_view unit = text.substr(digits);
  double value = 0;
  try {
    std::size_t used = 0;
    value = std::stod(number, &used);
    if (used != number.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw std::invalid_argument("expected a duration like 500ms, 30s, 5m or 1h, got '" + original +
                                "'");
  }
  double ms = 0;
  if (unit == "ms") {
    ms = value;
  } else if (unit == "s") {
    ms = value * 1000;
  } else if (unit == "m") {
    ms = value * 60000;
  } else if (unit == "h") {
    ms = value * 3600000;
  } else if (unit.empty() && value == 0) {
    ms = 0;
  } else {
    throw std::invalid_argument("expected a duration with a unit (ms, s, m or h), got '" +
                                original + "'");
  }
  if (ms > 1e12) throw std::invalid_argument("duration '" + original + "' is too long");
  return Millis(static_cast<long long>(ms));
}

std::uint64_t parse_size(std::string_view text) {
  const std::string original(text);
  std::size_t digits = 0;
  while (digits < text.size() && is_ascii_digit(text[digits])) {
    ++digits;
  }
  std::string unit(text.substr(digits));
  unit.erase(0, unit.find_first_not_of(' '));
  if (digits == 0 || digits > 15) {
    throw std::invalid_argument("expected a size like 512KiB, 10MiB or 1GiB, got '" + original +
                                "'");
  }
  const std::uint64_t value = std::stoull(std::string(text.substr(0, digits)));
  static const std::pair<const char*, std::uint64_t> kUnits[] = {
      {"", 1},      {"B", 1},        {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30},
      {"KB", 1000}, {"MB", 1000000}, {"GB", 1000000000}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) {
      if (value > std::numeric_limits<std::uint64_t>::max() / factor) {
        throw std::invalid_argument("size '" + original + "' is too large");
      }
      return value * factor;
    }
  }
  throw std::invalid_argument("unknown size unit in '" + original + "'; use B, KiB, MiB or GiB");
}

std::string format_duration(Millis d) {
  const auto ms = d.count();
  if (ms % 3600000 == 0 && ms != 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0 && ms != 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (1ull << 30) == 0) return std::to_string(bytes >> 30) + "GiB";
  if (bytes != 0 && bytes % (1ull << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes != 0 && bytes % (1ull << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + "B";
}

Config parse_config(std::string_view yaml, const std::string& source,
                    const std::filesystem::path& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    throw ConfigError(where(source, e.mark) + ": malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(source + ": malformed YAML: " + e.what());
  }
  Config config;
  config.fetch.user_agent = default_user_agent();
  Section top(root, "", source);
  std::vector<std::string> seeds;
  top.read("seeds", seeds);
  top.read("seeds_file", config.seeds_file);
  read_scope(Section(top.subsection("scope"), "scope.", source), config.scope);
  read_pool(Section(top.subsection("pool"), "pool.", source), config.pool);
  read_fetch(Section(top.subsection("fetch"), "fetch.", source), config.fetch, base_dir);
  read_output(Section(top.subsection("output"), "output.", source), config.output);
  read_politeness(Section(top.subsection("politeness"), "politeness.", source), config.politeness);
  read_state(Section(top.subsection("state"), "state.", source), config.state);
  read_log(Section(top.subsection("log"), "log.", source), config.log);
  top.finish();

  const YAML::Node seeds_node = top.value("seeds");
  const std::string seeds_where = seeds_node ? where(source, seeds_node.Mark()) : source;
  for (const auto& seed : seeds) config.seeds.push_back(normalize_seed(seed, seeds_where));
  if (!config.seeds_file.empty()) {
    std::filesystem::path path(config.seeds_file);
    if (path.is_relative()) path = base_dir / path;
    for (const auto& [line, seed] : read_seeds_file(path, source)) {
      config.seeds.push_back(normalize_seed(seed, path.string() + ":" + std::to_string(line)));
    }
  }
  return config;
}

Config load_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError(path.string() +
                      ": cannot read the config file; check the path given to --config");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path.string(), path.parent_path());
}

void validate_config(const Config& config) {
  if (config.seeds.empty()) {
    throw ConfigError("no seeds: give `seeds:` or `seeds_file:` in the config, or --seed URL");
  }
}

std::string describe_config(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "seeds" << YAML::Value << YAML::Flow << config.seeds;
  out << YAML::Key << "scope" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "domains" << YAML::Value << YAML::Flow << config.scope.domains;
  out << YAML::Key << "subdomains" << YAML::Value << config.scope.subdomains;
  out << YAML::Key << "include" << YAML::Value << YAML::Flow << config.scope.include;
  out << YAML::Key << "exclude" << YAML::Value << YAML::Flow << config.scope.exclude;
  out << YAML::Key << "max_depth" << YAML::Value << config.scope.max_depth;
  out << YAML::Key << "max_pages" << YAML::Value << config.scope.max_pages;
  out << YAML::Key << "max_links_per_page" << YAML::Value << config.scope.max_links_per_page;
  out << YAML::Key << "max_url_length" << YAML::Value << config.scope.max_url_length;
  out << YAML::Key << "max_pages_per_host" << YAML::Value << config.scope.max_pages_per_host;
  out << YAML::Key << "max_repeated_segments" << YAML::Value << config.scope.max_repeated_segments;
  out << YAML::EndMap;
  out << YAML::Key << "pool" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "workers" << YAML::Value << config.pool.workers;
  out << YAML::Key << "queue_capacity" << YAML::Value << config.pool.queue_capacity;
  out << YAML::EndMap;
  out << YAML::Key << "fetch" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "user_agent" << YAML::Value << config.fetch.user_agent;
  out << YAML::Key << "timeout" << YAML::Value << format_duration(config.fetch.timeout);
  out << YAML::Key << "connect_timeout" << YAML::Value
      << format_duration(config.fetch.connect_timeout);
  out << YAML::Key << "max_redirects" << YAML::Value << config.fetch.max_redirects;
  out << YAML::Key << "max_body" << YAML::Value << format_size(config.fetch.max_body);
  out << YAML::Key << "headers" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : config.fetch.headers) {
    out << YAML::Key << name << YAML::Value << value;
  }
  out << YAML::EndMap;
  out << YAML::Key << "proxy" << YAML::Value << config.fetch.proxy;
  out << YAML::Key << "low_speed_limit" << YAML::Value << format_size(config.fetch.low_speed_limit);
  out << YAML::Key << "low_speed_time" << YAML::Value
      << format_duration(config.fetch.low_speed_time);
  out << YAML::Key << "insecure" << YAML::Value << config.fetch.insecure;
  out << YAML::Key << "ca_file" << YAML::Value << config.fetch.ca_file;
  out << YAML::EndMap;
  out << YAML::Key << "output" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "dir" << YAML::Value << config.output.dir;
  out << YAML::Key << "pages" << YAML::Value << config.output.pages;
  out << YAML::Key << "text" << YAML::Value << config.output.text;
  out << YAML::Key << "links" << YAML::Value << config.output.links;
  out << YAML::Key << "max_text_input" << YAML::Value << format_size(config.output.max_text_input);
  out << YAML::Key << "unchanged" << YAML::Value << config.output.unchanged;
  out << YAML::Key << "warc" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << config.output.warc.enabled;
  out << YAML::Key << "prefix" << YAML::Value << config.output.warc.prefix;
  out << YAML::Key << "max_size" << YAML::Value << format_size(config.output.warc.max_size);
  out << YAML::Key << "operator" << YAML::Value << config.output.warc.operator_name;
  out << YAML::Key << "cdx" << YAML::Value << config.output.warc.cdx;
  out << YAML::EndMap;
  out << YAML::EndMap;
  const auto& p = config.politeness;
  out << YAML::Key << "politeness" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "robots" << YAML::Value << p.robots;
  out << YAML::Key << "robots_agent" << YAML::Value << p.robots_agent;
  out << YAML::Key << "robots_ttl" << YAML::Value << format_duration(p.robots_ttl);
  out << YAML::Key << "delay" << YAML::Value << format_duration(p.delay);
  out << YAML::Key << "max_delay" << YAML::Value << format_duration(p.max_delay);
  out << YAML::Key << "per_host" << YAML::Value << p.per_host;
  out << YAML::Key << "retries" << YAML::Value << p.retries;
  out << YAML::Key << "backoff" << YAML::Value << format_duration(p.backoff);
  out << YAML::Key << "follow_nofollow" << YAML::Value << p.follow_nofollow;
  out << YAML::EndMap;
  out << YAML::Key << "state" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "dir" << YAML::Value << config.state.dir;
  out << YAML::Key << "recrawl_after" << YAML::Value << format_duration(config.state.recrawl_after);
  out << YAML::Key << "frontier_memory" << YAML::Value << config.state.frontier_memory;
  out << YAML::EndMap;
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "level" << YAML::Value << config.log.level;
  out << YAML::Key << "file" << YAML::Value << config.log.file;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace crawler
