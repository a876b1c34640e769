// robots.txt parsing and matching (RFC 9309), following Google's reference implementation
// (github.com/google/robotstxt) wherever the RFC leaves room, so that a site behaves for this
// crawler as it does for Googlebot.
//
// Parsing (RobotsRules::parse):
//  * Only the first kRobotsMaxBodyBytes of the body are read (RFC 9309 section 2.5), and each
//    line is cut to kRobotsMaxLineBytes; a pattern cut short still matches as a prefix.
//  * A UTF-8 byte order mark at the start of the body is skipped, also a truncated one. Lines end
//    at CR, LF or CRLF. '#' starts a comment, also inside a value. Keys are case-insensitive and
//    are recognised by prefix, with Google's typos: "useragent", "user agent", "dissallow",
//    "dissalow", "disalow", "diasllow", "disallaw", "site-map". A line without ':' is accepted
//    when it is exactly two whitespace-separated tokens ("disallow /").
//  * A group is a run of user-agent lines followed by its rules; a user-agent line after a rule
//    starts the next group. Blank lines, sitemap, crawl-delay and unknown lines neither start
//    nor end a group. Rules before the first user-agent line belong to no group.
//  * A user-agent value names the product token made of its leading [A-Za-z_-] characters
//    ("FooBot/1.0" and "FooBot Images" both name "FooBot"); a value that is "*", or "*" followed
//    by whitespace, names the global group.
//  * Allow/disallow patterns are normalised: octets >= 0x80 are percent-encoded and the hex of
//    %xx is upper-cased. An allow pattern whose last segment starts with "index.htm" also
//    allows its directory exactly ("/d/index.html" adds "/d/$").
//
// Matching (RobotsRules::allowed):
//  * The agent is compared verbatim and ASCII case-insensitively with the groups' product tokens.
//    All groups naming it apply, merged; only when none does, the "*" groups apply. An empty
//    agent names no group.
//  * The URL is matched on its path, ";params" and "?query" (see robots_match_target). It is not
//    normalised: the caller passes it percent-encoded, as fetched (Google's contract; RFC 9309
//    section 2.2.2 would decode unreserved %xx first, three conformance vectors forbid that).
//  * The longest matching pattern wins, counted in octets of the normalised pattern text
//    ('*' and '$' included); on a tie allow wins. Empty patterns match nothing. No matching rule,
//    no applicable group or an empty file mean allowed. "/robots.txt" itself is always allowed
//    (RFC 9309 section 2.2.2).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace crawler {

// RFC 9309 section 2.5: crawlers must parse at least 500 KiB; the rest of a body is ignored.
inline constexpr std::size_t kRobotsMaxBodyBytes = std::size_t{500} * 1024;

// Octets of one line that are kept; the rest of the line is dropped. Google's limit (8 times the
// 2083-octet URL limit of old browsers, less one for its C string terminator): long enough for
// any real pattern, and it bounds the cost of matching a single rule.
inline constexpr std::size_t kRobotsMaxLineBytes = std::size_t{2083} * 8 - 1;

// The part of `url` that rules are matched against: path, ";params" and "?query", without scheme,
// authority and "#fragment", always starting with '/' ("/" when there is no path). Accepts full
// URLs ("http://h/p?q"), scheme-less ones ("h/p", "//h/p") and paths ("/p?q"). A string with
// neither "://" nor '/', '?' or ';' (e.g. "example.com") is a bare authority and yields "/".
std::string robots_match_target(std::string_view url);

// The normalised form of an allow/disallow pattern: octets >= 0x80 percent-encoded, and the hex
// digits of every valid %xx upper-cased. Nothing is decoded.
std::string normalize_robots_pattern(std::string_view pattern);

// True when the normalised `pattern` matches `target` (a robots_match_target result) from its
// first octet: '*' matches any run of octets, a '$' that ends the pattern anchors it at the end
// of `target`, and every other octet (a '$' elsewhere included) matches itself, case-sensitively.
// Runs in O(|target| * |pattern|) at worst, whatever the number of '*'.
bool robots_pattern_matches(std::string_view target, std::string_view pattern);

// A parsed robots.txt. Parse once per origin, then answer many queries: the const methods only
// read, so one object may be queried from many threads at once. A default-constructed object
// allows everything.
class RobotsRules {
 public:
  RobotsRules() = default;

  // Parses a robots.txt body (see the rules at the top of this file). Never fails: any octet
  // sequence is a valid, if maybe useless, robots.txt.
  static RobotsRules parse(std::string_view body);
  // For a 4xx response, or when robots.txt is not to be honoured: everything is allowed.
  static RobotsRules allow_all();
  // For a 5xx response or a network error (RFC 9309 section 2.3.1.4): everything but
  // "/robots.txt" is disallowed.
  static RobotsRules disallow_all();

  // Whether the crawler whose product token is `agent` (e.g. "crawler", not a User-Agent header)
  // may fetch `url`, a full URL or a path, percent-encoded as it will be requested.
  bool allowed(std::string_view agent, std::string_view url) const;

  // The Crawl-delay, in seconds (maybe fractional), of the groups chosen for `agent` by the rules
  // of allowed(); the largest when several of them give one. Values that are not finite,
  // non-negative decimal numbers are ignored.
  std::optional<double> crawl_delay(std::string_view agent) const;

  // The values of the Sitemap lines, in file order, wherever they appear in the file.
  const std::vector<std::string>& sitemaps() const { return sitemaps_; }

 private:
  struct Rule {
    std::string pattern;  // normalised, never empty
    bool allow = false;
  };
  struct Group {
    std::vector<Rule> rules;
    std::optional<double> crawl_delay;
  };

  // Indices into groups_ of the groups that apply to `agent`, in file order.
  const std::vector<std::size_t>& groups_for(std::string_view agent) const;

  bool disallow_everything_ = false;
  std::vector<Group> groups_;
  // Lower-cased product token -> the groups naming it.
  std::unordered_map<std::string, std::vector<std::size_t>> groups_by_agent_;
  std::vector<std::size_t> global_groups_;  // the groups naming "*"
  std::vector<std::string> sitemaps_;
};

}  // namespace crawler
