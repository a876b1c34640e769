// Fuzzes the robots.txt parser and matcher (crawler/fetch/robots.h). Besides "no crash", it checks:
//  - robots_pattern_matches agrees with a plain dynamic-programming matcher written from the
//    header's contract (a differential test of its greedy algorithm);
//  - normalize_robots_pattern is idempotent and its output is ASCII;
//  - robots_match_target always starts with '/' and holds no fragment;
//  - "/robots.txt" is always allowed; a Crawl-delay is finite and non-negative; a query for an
//    agent is answered the same way in any ASCII case.
//
// Input: "AGENT\nURL\nPATTERN\nBODY..." (missing parts are empty).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/fetch/robots.h"

namespace {

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "robots_fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

std::string_view next_line(std::string_view& input) {
  const std::size_t newline = input.find('\n');
  const std::string_view line = input.substr(0, newline);
  input.remove_prefix(newline == std::string_view::npos ? input.size() : newline + 1);
  return line;
}

// The contract, directly: match[i][j] = pattern[i..] matches target[j..] (with '$' anchoring
// only as the pattern's last octet, and the match needing only to cover a prefix of target).
bool reference_matches(std::string_view target, std::string_view pattern) {
  const bool anchored = !pattern.empty() && pattern.back() == '$';
  if (anchored) pattern.remove_suffix(1);
  const std::size_t n = target.size();
  // reachable[j]: the pattern read so far can match target[0, j).
  std::vector<char> reachable(n + 1, 0);
  reachable[0] = 1;
  for (const char p : pattern) {
    std::vector<char> next(n + 1, 0);
    if (p == '*') {
      bool any = false;
      for (std::size_t j = 0; j <= n; ++j) {
        any = any || reachable[j];
        next[j] = any;
      }
    } else {
      for (std::size_t j = 0; j < n; ++j) next[j + 1] = reachable[j] && target[j] == p;
    }
    reachable.swap(next);
  }
  if (anchored) return reachable[n] != 0;
  for (const char r : reachable) {
    if (r) return true;
  }
  return false;
}

std::string swap_ascii_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view agent = next_line(input);
  const std::string_view url = next_line(input);
  const std::string_view raw_pattern = next_line(input);
  const std::string_view body = input;

  const std::string target = crawler::robots_match_target(url);
  check(target.starts_with('/'), "match target does not start with '/'");
  check(target.find('#') == std::string::npos, "match target holds a fragment");

  const std::string pattern = crawler::normalize_robots_pattern(raw_pattern);
  check(crawler::normalize_robots_pattern(pattern) == pattern,
        "normalize_robots_pattern is not idempotent");
  for (const char c : pattern) check(static_cast<unsigned char>(c) < 0x80, "non-ASCII pattern");
  check(crawler::robots_pattern_matches(target, pattern) == reference_matches(target, pattern),
        "robots_pattern_matches disagrees with the reference matcher");

  const crawler::RobotsRules rules = crawler::RobotsRules::parse(body);
  const bool allowed = rules.allowed(agent, url);
  check(rules.allowed(swap_ascii_case(agent), url) == allowed, "agent matching is case-sensitive");
  check(rules.allowed(agent, "/robots.txt"), "/robots.txt is disallowed");
  // "//x" would read as a scheme-less "//host/path", so only single-slash targets are re-fed.
  if (!target.starts_with("//")) {
    check(rules.allowed(agent, target) == allowed, "path-only query differs from the full URL");
  }
  if (const std::optional<double> delay = rules.crawl_delay(agent)) {
    check(std::isfinite(*delay) && *delay >= 0, "bad Crawl-delay");
  }
  for (const std::string& sitemap : rules.sitemaps()) check(!sitemap.empty(), "empty sitemap");

  const bool is_robots_txt = std::string_view(target).substr(0, target.find('?')) == "/robots.txt";
  check(crawler::RobotsRules::disallow_all().allowed(agent, url) == is_robots_txt,
        "disallow_all allows something else than /robots.txt");
  if (is_robots_txt) check(allowed, "/robots.txt is disallowed");
  check(crawler::RobotsRules::allow_all().allowed(agent, url), "allow_all disallows");
  return 0;
}
