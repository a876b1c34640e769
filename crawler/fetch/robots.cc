#include "crawler/fetch/robots.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <initializer_list>
#include <system_error>
#include <utility>

#include "crawler/util/ascii.h"

namespace crawler {
namespace {

// Whitespace here is is_c_space (\v included) and trim_c_space, as Google's parser trims it.

// Only these separate a key from its value on a line without ':'.
bool is_blank(char c) { return c == ' ' || c == '\t'; }

enum class Key { kUserAgent, kAllow, kDisallow, kSitemap, kCrawlDelay, kUnknown };

// Prefix matching, in Google's order, so "user-agentx" and "disallowed" count as well.
Key classify_key(std::string_view key) {
  const auto any_prefix = [key](std::initializer_list<std::string_view> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [key](std::string_view p) { return starts_with_ignore_case(key, p); });
  };
  if (any_prefix({"user-agent", "useragent", "user agent"})) return Key::kUserAgent;
  if (any_prefix({"allow"})) return Key::kAllow;
  if (any_prefix({"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"})) {
    return Key::kDisallow;
  }
  if (any_prefix({"sitemap", "site-map"})) return Key::kSitemap;
  if (any_prefix({"crawl-delay", "crawldelay", "crawl delay"})) return Key::kCrawlDelay;
  return Key::kUnknown;
}

struct KeyValue {
  std::string_view key;
  std::string_view value;
};

// Splits one line (without its line ending) into key and value; std::nullopt for lines that
// carry no directive (blank, comment-only, no separator, empty key).
std::optional<KeyValue> split_line(std::string_view line) {
  if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
    line = line.substr(0, hash);
  }
  line = trim_c_space(line);
  std::size_t sep = line.find(':');
  if (sep == std::string_view::npos) {
    // Google accepts whitespace in place of a forgotten colon, but only between exactly two
    // tokens: anything longer is more likely prose than a directive.
    const auto blank = std::find_if(line.begin(), line.end(), is_blank);
    if (blank == line.end()) return std::nullopt;
    const auto value_begin = std::find_if_not(blank, line.end(), is_blank);
    if (std::find_if(value_begin, line.end(), is_blank) != line.end()) return std::nullopt;
    sep = static_cast<std::size_t>(blank - line.begin());
  }
  const std::string_view key = trim_c_space(line.substr(0, sep));
  if (key.empty()) return std::nullopt;
  return KeyValue{key, trim_c_space(line.substr(sep + 1))};
}

// The product token a user-agent value names: its leading [A-Za-z_-] run (Google).
std::string_view product_token(std::string_view value) {
  const auto end = std::find_if_not(value.begin(), value.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
  return value.substr(0, static_cast<std::size_t>(end - value.begin()));
}

bool names_global_group(std::string_view value) {
  return !value.empty() && value.front() == '*' && (value.size() == 1 || is_c_space(value[1]));
}

std::optional<double> parse_crawl_delay(std::string_view value) {
  if (value.empty() || value.front() == '-') return std::nullopt;
  double seconds = 0;
  const char* const end = value.data() + value.size();
  const auto [ptr, ec] = std::from_chars(value.data(), end, seconds, std::chars_format::fixed);
  if (ec != std::errc() || ptr != end || !std::isfinite(seconds) || seconds < 0) {
    return std::nullopt;
  }
  return seconds;
}

// Calls `on_line` for each line of the capped body: BOM skipped, split at CR, LF and CRLF (the
// empty "line" between CR and LF is harmless: blank lines carry no meaning), each line cut to
// kRobotsMaxLineBytes.
template <typename OnLine>
void for_each_line(std::string_view body, OnLine&& on_line) {
  body = body.substr(0, std::min(body.size(), kRobotsMaxBodyBytes));
  // A BOM, or the start of one, that a truncating editor or server left behind.
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  std::size_t bom = 0;
  while (bom < kBom.size() && bom < body.size() && body[bom] == kBom[bom]) ++bom;
  body.remove_prefix(bom);
  while (true) {
    const std::size_t end = body.find_first_of("\r\n");
    const std::string_view line = body.substr(0, end);
    on_line(line.substr(0, std::min(line.size(), kRobotsMaxLineBytes)));
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
}

}  // namespace

std::string robots_match_target(std::string_view url) {
  // Mirrors Google's GetPathParamsQuery so that odd inputs match the same way.
  std::size_t search_start = 0;
  if (url.size() >= 2 && url[0] == '/' && url[1] == '/') search_start = 2;  // "//host/path"

  const std::size_t early_path = url.find_first_of("/?;", search_start);
  std::size_t authority_start = url.find("://", search_start);
  // "/a?b=http://c" is a path whose query happens to hold "://", not a scheme.
  if (authority_start == std::string_view::npos || early_path < authority_start) {
    authority_start = search_start;
  } else {
    authority_start += 3;
  }

  const std::size_t path_start = url.find_first_of("/?;", authority_start);
  if (path_start == std::string_view::npos) return "/";
  const std::size_t hash = url.find('#', search_start);
  if (hash < path_start) return "/";
  const std::string_view target = url.substr(
      path_start, hash == std::string_view::npos ? std::string_view::npos : hash - path_start);
  if (target.front() == '/') return std::string(target);
  std::string with_slash = "/";
  with_slash += target;
  return with_slash;
}

std::string normalize_robots_pattern(std::string_view pattern) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string normalized;
  normalized.reserve(pattern.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto c = static_cast<unsigned char>(pattern[i]);
    if (c == '%' && i + 2 < pattern.size() && is_ascii_hex_digit(pattern[i + 1]) &&
        is_ascii_hex_digit(pattern[i + 2])) {
      normalized += '%';
      normalized += ascii_upper(pattern[i + 1]);
      normalized += ascii_upper(pattern[i + 2]);
      i += 2;
    } else if (c >= 0x80) {
      normalized += '%';
      normalized += kHex[c >> 4];
      normalized += kHex[c & 0xF];
    } else {
      normalized += static_cast<char>(c);
    }
  }
  return normalized;
}

bool robots_pattern_matches(std::string_view target, std::string_view pattern) {
  // This is Google's position-set algorithm with the set stored implicitly. The set of target
  // prefixes that the pattern read so far can match is {0} before the first '*', and right after
  // a '*' it is the interval [lo, end] where lo is its smallest element. A literal run then maps
  // the interval to the ends of the run's occurrences at or after lo, and the next '*' widens
  // that back to an interval from its smallest element: the end of the leftmost occurrence. So
  // a greedy leftmost search per run is exact (no backtracking), and the final run only needs
  // some occurrence (unanchored) or the occurrence that ends the target (anchored by '$').
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);

  std::size_t star = pattern.find('*');
  const std::string_view first_run = pattern.substr(0, star);
  if (target.substr(0, first_run.size()) != first_run) return false;
  if (star == std::string_view::npos) return !anchored || target.size() == first_run.size();

  std::size_t lo = first_run.size();
  while (true) {
    const std::size_t run_begin = star + 1;
    star = pattern.find('*', run_begin);
    const std::string_view run = pattern.substr(
        run_begin, star == std::string_view::npos ? std::string_view::npos : star - run_begin);
    if (star == std::string_view::npos) {
      if (anchored) {
        return target.size() - lo >= run.size() && target.substr(target.size() - run.size()) == run;
      }
      return target.find(run, lo) != std::string_view::npos;
    }
    const std::size_t found = target.find(run, lo);
    if (found == std::string_view::npos) return false;
    lo = found + run.size();
  }
}

RobotsRules RobotsRules::parse(std::string_view body) {
  RobotsRules rules;
  // The group that rules and crawl-delays go to; none before the first user-agent line.
  std::optional<std::size_t> current;
  bool current_has_rules = false;

  const auto add_rule = [&](std::string pattern, bool allow) {
    if (pattern.empty()) return;  // matches everything with no length, so it never decides
    rules.groups_[*current].rules.push_back(Rule{std::move(pattern), allow});
  };

  for_each_line(body, [&](std::string_view line) {
    const std::optional<KeyValue> kv = split_line(line);
    if (!kv) return;
    const Key key = classify_key(kv->key);
    switch (key) {
      case Key::kUserAgent: {
        if (!current || current_has_rules) {
          current = rules.groups_.size();
          rules.groups_.emplace_back();
          current_has_rules = false;
        }
        std::vector<std::size_t>* members = nullptr;
        if (names_global_group(kv->value)) {
          members = &rules.global_groups_;
        } else if (const std::string_view token = product_token(kv->value); !token.empty()) {
          members = &rules.groups_by_agent_[ascii_lower_copy(token)];
        }
        if (members != nullptr && (members->empty() || members->back() != *current)) {
          members->push_back(*current);
        }
        break;
      }
      case Key::kAllow:
      case Key::kDisallow: {
        if (!current) break;
        current_has_rules = true;
        const bool allow = key == Key::kAllow;
        std::string pattern = normalize_robots_pattern(kv->value);
        if (allow) {
          // Google: "/dir/index.html" also allows "/dir/" itself, as servers usually serve the
          // index page there. The extra pattern is shorter, so it never outranks the original.
          const std::size_t slash = pattern.rfind('/');
          if (slash != std::string::npos &&
              std::string_view(pattern).substr(slash).starts_with("/index.htm")) {
            add_rule(pattern.substr(0, slash + 1) + "$", true);
          }
        }
        add_rule(std::move(pattern), allow);
        break;
      }
      case Key::kSitemap:
        if (!kv->value.empty()) rules.sitemaps_.emplace_back(kv->value);
        break;
      case Key::kCrawlDelay:
        if (current) {
          if (const std::optional<double> delay = parse_crawl_delay(kv->value)) {
            std::optional<double>& group_delay = rules.groups_[*current].crawl_delay;
            group_delay = std::max(group_delay.value_or(0), *delay);
          }
        }
        break;
      case Key::kUnknown:
        break;
    }
  });
  return rules;
}

RobotsRules RobotsRules::allow_all() { return RobotsRules(); }

RobotsRules RobotsRules::disallow_all() {
  RobotsRules rules;
  rules.disallow_everything_ = true;
  return rules;
}

const std::vector<std::size_t>& RobotsRules::groups_for(std::string_view agent) const {
  if (!agent.empty()) {
    const auto it = groups_by_agent_.find(ascii_lower_copy(agent));
    if (it != groups_by_agent_.end()) return it->second;
  }
  return global_groups_;
}

bool RobotsRules::allowed(std::string_view agent, std::string_view url) const {
  const std::string target = robots_match_target(url);
  if (std::string_view(target).substr(0, target.find('?')) == "/robots.txt") return true;
  if (disallow_everything_) return false;

  // Only the longest allow and disallow matches matter, so rules that cannot beat them are not
  // matched at all: an allow shorter than the best disallow cannot win, nor can a disallow that
  // is not longer than the best allow.
  std::size_t best_allow = 0;
  std::size_t best_disallow = 0;
  for (const std::size_t index : groups_for(agent)) {
    for (const Rule& rule : groups_[index].rules) {
      const std::size_t length = rule.pattern.size();
      if (rule.allow) {
        if (length <= best_allow || length < best_disallow) continue;
        if (robots_pattern_matches(target, rule.pattern)) best_allow = length;
      } else {
        if (length <= best_disallow || length <= best_allow) continue;
        if (robots_pattern_matches(target, rule.pattern)) best_disallow = length;
      }
    }
  }
  return best_disallow <= best_allow;
}

std::optional<double> RobotsRules::crawl_delay(std::string_view agent) const {
  std::optional<double> delay;
  for (const std::size_t index : groups_for(agent)) {
    if (const std::optional<double>& group_delay = groups_[index].crawl_delay) {
      delay = std::max(delay.value_or(0), *group_delay);
    }
  }
  return delay;
}

}  // namespace crawler
