#include "crawler/fetch/robots.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/conformance.h"

namespace crawler {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr std::string_view kRobotsCases = "robots/cases.jsonl";
constexpr std::size_t kRobotsCaseCount = 171;

// Counted independently of read_conformance_jsonl so that a reader silently skipping lines
// cannot make the "every vector checked" assertions pass.
std::size_t count_non_empty_lines(const std::string& relative) {
  std::ifstream in(testing::conformance_dir() / relative);
  std::size_t count = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++count;
  }
  return count;
}

bool allowed(std::string_view body, std::string_view agent, std::string_view url) {
  return RobotsRules::parse(body).allowed(agent, url);
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

struct Vector {
  std::string test;
  std::string source;
  std::string robots_txt;
  std::string user_agent;
  std::string url;
  bool allowed = false;
  bool google_specific = false;
};

std::vector<Vector> read_vectors() {
  std::vector<Vector> vectors;
  for (const auto& json : testing::read_conformance_jsonl(std::string(kRobotsCases))) {
    vectors.push_back(Vector{json.at("test"), json.at("source"), json.at("robots_txt"),
                             json.at("user_agent"), json.at("url"), json.at("allowed"),
                             json.at("google_specific")});
  }
  return vectors;
}

std::string describe(const Vector& v) {
  // The two long-line bodies are 16 and 33 KB: show their ends only.
  std::string body = v.robots_txt;
  if (body.size() > 400) {
    body = body.substr(0, 200) + "\n[... " + std::to_string(body.size() - 400) + " bytes ...]\n" +
           body.substr(body.size() - 200);
  }
  return "test: " + v.test + "\nsource: " + v.source + "\nagent: \"" + v.user_agent +
         "\"\nurl: \"" + v.url.substr(0, 300) +
         "\"\nexpected: " + (v.allowed ? "allowed" : "disallowed") +
         (v.google_specific ? " (Google-specific)" : "") + "\nrobots.txt:\n" + body;
}

// ---------------------------------------------------------------------------------------------
// Conformance vectors (RFC 9309 and google/robotstxt), from the shared conformance folder.

TEST(RobotsConformanceTest, EveryVectorPasses) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const std::vector<Vector> vectors = read_vectors();
  ASSERT_EQ(vectors.size(), kRobotsCaseCount);
  ASSERT_EQ(count_non_empty_lines(std::string(kRobotsCases)), kRobotsCaseCount);
  std::size_t passed = 0;
  std::size_t expected_allowed = 0;
  std::size_t google_specific = 0;
  for (const Vector& v : vectors) {
    const bool actual = allowed(v.robots_txt, v.user_agent, v.url);
    EXPECT_EQ(actual, v.allowed) << describe(v);
    if (actual == v.allowed) ++passed;
    if (v.allowed) ++expected_allowed;
    if (v.google_specific) ++google_specific;
  }
  EXPECT_EQ(passed, kRobotsCaseCount);
  // The README's tallies: a changed data file must be looked at, not silently accepted.
  EXPECT_EQ(expected_allowed, 92u);
  EXPECT_EQ(google_specific, 19u);
}

// The same verdicts must survive changes that carry no meaning: other line endings, a BOM,
// passing the path instead of the URL, and querying one parsed object many times.
TEST(RobotsConformanceTest, EveryVectorPassesWithCrlfCrAndBom) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const std::vector<Vector> vectors = read_vectors();
  ASSERT_EQ(vectors.size(), kRobotsCaseCount);
  for (const Vector& v : vectors) {
    const std::string crlf = replace_all(v.robots_txt, "\n", "\r\n");
    const std::string cr = replace_all(v.robots_txt, "\n", "\r");
    EXPECT_EQ(allowed(crlf, v.user_agent, v.url), v.allowed) << "CRLF\n" << describe(v);
    EXPECT_EQ(allowed(cr, v.user_agent, v.url), v.allowed) << "CR\n" << describe(v);
    EXPECT_EQ(allowed("\xEF\xBB\xBF" + v.robots_txt, v.user_agent, v.url), v.allowed)
        << "BOM\n"
        << describe(v);
  }
}

TEST(RobotsConformanceTest, EveryVectorPassesWithThePathInsteadOfTheUrl) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const std::vector<Vector> vectors = read_vectors();
  ASSERT_EQ(vectors.size(), kRobotsCaseCount);
  for (const Vector& v : vectors) {
    const RobotsRules rules = RobotsRules::parse(v.robots_txt);
    const std::string path = robots_match_target(v.url);
    EXPECT_EQ(rules.allowed(v.user_agent, path), v.allowed) << "path: " << path << "\n"
                                                            << describe(v);
    // Parse once, query many: a query must not change the answer of the next one.
    EXPECT_EQ(rules.allowed(v.user_agent, v.url), v.allowed) << describe(v);
    EXPECT_EQ(rules.allowed(v.user_agent, v.url), v.allowed) << describe(v);
  }
}

// ---------------------------------------------------------------------------------------------
// robots_match_target: which part of a URL rules are matched against.

TEST(RobotsMatchTargetTest, KeepsPathParamsAndQuery) {
  struct Case {
    std::string_view url;
    std::string_view target;
  };
  const Case cases[] = {
      {"", "/"},
      {"http://www.example.com", "/"},
      {"http://www.example.com/", "/"},
      {"http://www.example.com/a", "/a"},
      {"http://www.example.com/a/", "/a/"},
      {"http://www.example.com/a/b?c=http://d.e/", "/a/b?c=http://d.e/"},
      {"http://www.example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"},
      {"https://user:pw@example.com:8080/a;p?q", "/a;p?q"},
      {"example.com", "/"},
      {"example.com/", "/"},
      {"example.com/a", "/a"},
      {"example.com/a/b?c=d&e=f#fragment", "/a/b?c=d&e=f"},
      {"example.com?a", "/?a"},
      {"example.com/a;b#c", "/a;b"},
      {"example.com#frag/x", "/"},
      {"a", "/"},
      {"a/", "/"},
      {"a/b", "/b"},
      {"/a", "/a"},
      {"/a?b=http://c/d", "/a?b=http://c/d"},
      {"/", "/"},
      {"?q", "/?q"},
      {"//a/b/c", "/b/c"},
      {"http://h/%E3%83%84", "/%E3%83%84"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(robots_match_target(c.url), c.target) << "url: " << c.url;
  }
}

// ---------------------------------------------------------------------------------------------
// normalize_robots_pattern: patterns are percent-encoded, never decoded.

TEST(RobotsPatternNormalizationTest, EncodesNonAsciiAndUppercasesEscapes) {
  EXPECT_EQ(normalize_robots_pattern("/foo/bar"), "/foo/bar");
  EXPECT_EQ(normalize_robots_pattern("/SanJos\xC3\xA9Sellers"), "/SanJos%C3%A9Sellers");
  EXPECT_EQ(normalize_robots_pattern("/foo/bar/\xE3\x83\x84"), "/foo/bar/%E3%83%84");
  EXPECT_EQ(normalize_robots_pattern("%aa"), "%AA");
  EXPECT_EQ(normalize_robots_pattern("/a%2fb%3Ac"), "/a%2Fb%3Ac");
  // Unreserved characters stay encoded (Google; RFC 9309 would decode them).
  EXPECT_EQ(normalize_robots_pattern("/foo/bar/%62%61%7A"), "/foo/bar/%62%61%7A");
  // A '%' that does not start a valid escape is kept as it is.
  EXPECT_EQ(normalize_robots_pattern("/100%"), "/100%");
  EXPECT_EQ(normalize_robots_pattern("/%a"), "/%a");
  EXPECT_EQ(normalize_robots_pattern("/%zz"), "/%zz");
  EXPECT_EQ(normalize_robots_pattern("/%%aa"), "/%%AA");
  EXPECT_EQ(normalize_robots_pattern("*.gif$"), "*.gif$");
  EXPECT_EQ(normalize_robots_pattern(""), "");
}

TEST(RobotsPatternNormalizationTest, NonAsciiRuleMatchesOnlyTheEncodedUrl) {
  const std::string body = "User-agent: *\nDisallow: /\nAllow: /caf\xC3\xA9/\n";
  EXPECT_TRUE(allowed(body, "crawler", "http://h/caf%C3%A9/menu"));
  EXPECT_FALSE(allowed(body, "crawler", "http://h/caf%c3%a9/menu"));  // caller normalises
  EXPECT_FALSE(allowed(body, "crawler", "http://h/caf\xC3\xA9/menu"));
}

// ---------------------------------------------------------------------------------------------
// robots_pattern_matches: '*', '$' and literal octets.

TEST(RobotsPatternMatchTest, PrefixMatchIsCaseSensitive) {
  EXPECT_TRUE(robots_pattern_matches("/fish", "/fish"));
  EXPECT_TRUE(robots_pattern_matches("/fish.html", "/fish"));
  EXPECT_TRUE(robots_pattern_matches("/fish/salmon.html", "/fish"));
  EXPECT_TRUE(robots_pattern_matches("/fishheads", "/fish"));
  EXPECT_FALSE(robots_pattern_matches("/Fish.asp", "/fish"));
  EXPECT_FALSE(robots_pattern_matches("/catfish", "/fish"));
  EXPECT_FALSE(robots_pattern_matches("/fis", "/fish"));
  EXPECT_TRUE(robots_pattern_matches("/anything", ""));
}

TEST(RobotsPatternMatchTest, StarMatchesAnyRunIncludingEmpty) {
  EXPECT_TRUE(robots_pattern_matches("/fish", "/fish*"));
  EXPECT_TRUE(robots_pattern_matches("/fish", "/*"));
  EXPECT_TRUE(robots_pattern_matches("/filename.php", "/*.php"));
  EXPECT_TRUE(robots_pattern_matches("/folder/filename.php?parameters", "/*.php"));
  EXPECT_TRUE(robots_pattern_matches("/folder/any.php.file.html", "/*.php"));
  EXPECT_FALSE(robots_pattern_matches("/windows.PHP", "/*.php"));
  EXPECT_TRUE(robots_pattern_matches("/fish/x/y/z", "/fish*/z"));
  EXPECT_TRUE(robots_pattern_matches("/a/b", "*"));
  EXPECT_TRUE(robots_pattern_matches("/a/b", "**"));
  EXPECT_TRUE(robots_pattern_matches("/abcabc", "/*b*b"));
  EXPECT_FALSE(robots_pattern_matches("/abc", "/*b*b"));
  EXPECT_TRUE(robots_pattern_matches("/aXbXc", "/a*b*c"));
  EXPECT_FALSE(robots_pattern_matches("/aXcXb", "/a*b*c"));
}

TEST(RobotsPatternMatchTest, DollarAnchorsOnlyAtTheEnd) {
  EXPECT_TRUE(robots_pattern_matches("/filename.php", "/*.php$"));
  EXPECT_FALSE(robots_pattern_matches("/filename.php?parameters", "/*.php$"));
  EXPECT_FALSE(robots_pattern_matches("/filename.php/", "/*.php$"));
  EXPECT_FALSE(robots_pattern_matches("/filename.php5", "/*.php$"));
  EXPECT_TRUE(robots_pattern_matches("/a.php.php", "/*.php$"));
  EXPECT_TRUE(robots_pattern_matches("/", "/$"));
  EXPECT_FALSE(robots_pattern_matches("/a", "/$"));
  EXPECT_FALSE(robots_pattern_matches("/", "$"));
  EXPECT_TRUE(robots_pattern_matches("/", "*$"));
  EXPECT_TRUE(robots_pattern_matches("/x.gif", "*.gif$"));
  EXPECT_FALSE(robots_pattern_matches("/x.gif", "*.giff$"));
  EXPECT_FALSE(robots_pattern_matches("/gif", "/*/gif$"));  // run must start at or after lo
  // '$' anywhere else is an ordinary octet.
  EXPECT_TRUE(robots_pattern_matches("/a$b", "/a$b"));
  EXPECT_FALSE(robots_pattern_matches("/ab", "/a$b"));
  EXPECT_TRUE(robots_pattern_matches("/price$", "/price$$"));
  EXPECT_FALSE(robots_pattern_matches("/price", "/price$$"));
}

// Google's position-set matcher, written plainly: the reference the greedy matcher must agree
// with on every input.
bool reference_matches(std::string_view path, std::string_view pattern) {
  std::vector<std::size_t> positions{0};
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '$' && i + 1 == pattern.size()) return positions.back() == path.size();
    std::vector<std::size_t> next;
    if (pattern[i] == '*') {
      for (std::size_t p = positions.front(); p <= path.size(); ++p) next.push_back(p);
    } else {
      for (const std::size_t p : positions) {
        if (p < path.size() && path[p] == pattern[i]) next.push_back(p + 1);
      }
    }
    if (next.empty()) return false;
    positions = std::move(next);
  }
  return true;
}

TEST(RobotsPatternMatchTest, AgreesWithThePositionSetAlgorithmOnRandomInputs) {
  std::mt19937 rng(9309);
  const auto random_string = [&rng](std::string_view alphabet, std::size_t max_length) {
    std::string s;
    const std::size_t length = std::uniform_int_distribution<std::size_t>(0, max_length)(rng);
    std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
    for (std::size_t i = 0; i < length; ++i) s += alphabet[pick(rng)];
    return s;
  };
  std::size_t matched = 0;
  for (int i = 0; i < 200000; ++i) {
    const std::string path = "/" + random_string("ab/$", 10);
    const std::string pattern = random_string("ab/*$", 8);
    const bool expected = reference_matches(path, pattern);
    ASSERT_EQ(robots_pattern_matches(path, pattern), expected)
        << "path: " << path << "\npattern: " << pattern;
    if (expected) ++matched;
  }
  // Both outcomes must be well represented for the comparison to mean anything.
  EXPECT_GT(matched, 20000u);
  EXPECT_LT(matched, 180000u);
}

TEST(RobotsPatternMatchTest, ManyStarsStayFast) {
  // A backtracking matcher needs exponential time here; the greedy one is linear-ish.
  std::string pattern = "/";
  for (int i = 0; i < 2000; ++i) pattern += "*a";
  pattern += "*b$";
  const std::string path = "/" + std::string(8000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(robots_pattern_matches(path, pattern));
  EXPECT_TRUE(robots_pattern_matches(path + "b", pattern));
  const std::string body = "User-agent: *\nDisallow: " + pattern + "\n";
  EXPECT_TRUE(allowed(body, "crawler", path));
  EXPECT_FALSE(allowed(body, "crawler", path + "b"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30))
      << "exponential blow-up (normal: well under a second, even under sanitizers)";
}

// ---------------------------------------------------------------------------------------------
// Line syntax: keys, separators, comments, whitespace, line endings, BOM.

TEST(RobotsParseTest, KeysAreCaseInsensitive) {
  for (const std::string_view body :
       {"USER-AGENT: crawler\nDISALLOW: /x\n", "User-Agent: crawler\nDisallow: /x\n",
        "uSeR-aGeNt: crawler\ndIsAlLoW: /x\n"}) {
    EXPECT_FALSE(allowed(body, "crawler", "/x")) << body;
    EXPECT_TRUE(allowed(body, "crawler", "/y")) << body;
  }
}

TEST(RobotsParseTest, AcceptsGoogleKeyTypos) {
  for (const std::string_view agent_key : {"user-agent", "useragent", "user agent"}) {
    for (const std::string_view disallow_key :
         {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"}) {
      const std::string body =
          std::string(agent_key) + ": crawler\n" + std::string(disallow_key) + ": /x\n";
      EXPECT_FALSE(allowed(body, "crawler", "/x")) << body;
      EXPECT_TRUE(allowed(body, "crawler", "/y")) << body;
    }
  }
  EXPECT_THAT(RobotsRules::parse("site-map: http://h/a.xml\n").sitemaps(),
              ElementsAre("http://h/a.xml"));
}

TEST(RobotsParseTest, UnknownAndMisspelledBeyondGoogleKeysAreIgnored) {
  EXPECT_TRUE(allowed("user-agent: crawler\ndisalllow: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("user-agent: crawler\nnoindex: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("useragnt: crawler\ndisallow: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("foo: crawler\nbar: /\n", "crawler", "/x"));
}

TEST(RobotsParseTest, WhitespaceAroundKeyAndValueIsTrimmed) {
  const std::string body = "  user-agent \t:\t crawler  \n\t disallow :   /x   \n";
  EXPECT_FALSE(allowed(body, "crawler", "/x"));
  EXPECT_TRUE(allowed(body, "crawler", "/y"));
}

TEST(RobotsParseTest, ColonlessLineNeedsExactlyTwoTokens) {
  EXPECT_FALSE(allowed("user-agent crawler\ndisallow /\n", "crawler", "/x"));
  EXPECT_FALSE(allowed("user-agent\tcrawler\ndisallow \t /\n", "crawler", "/x"));
  // Three tokens: not a directive.
  EXPECT_TRUE(allowed("user-agent crawler\ndisallow / now\n", "crawler", "/x"));
  // One token: not a directive.
  EXPECT_TRUE(allowed("user-agent crawler\ndisallow\n", "crawler", "/x"));
}

TEST(RobotsParseTest, LinesWithoutKeyAreIgnored) {
  EXPECT_TRUE(allowed("user-agent: crawler\n: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("user-agent: crawler\n   : /\n", "crawler", "/x"));
}

TEST(RobotsParseTest, CommentsRunToEndOfLineEvenInsideValues) {
  const std::string body =
      "# leading comment\n"
      "user-agent: crawler # our bot\n"
      "disallow: /foo/quz#qux\n"
      "#disallow: /\n"
      "disallow: /bar # trailing\n";
  EXPECT_FALSE(allowed(body, "crawler", "/foo/quz"));
  EXPECT_FALSE(allowed(body, "crawler", "/bar/x"));
  EXPECT_TRUE(allowed(body, "crawler", "/other"));
  // A comment-only value leaves an empty pattern, which matches nothing.
  EXPECT_TRUE(allowed("user-agent: crawler\ndisallow: # /\n", "crawler", "/x"));
}

TEST(RobotsParseTest, AllLineEndingsSplitLines) {
  for (const std::string_view body :
       {"user-agent: crawler\ndisallow: /x\nallow: /x/y\n",
        "user-agent: crawler\r\ndisallow: /x\r\nallow: /x/y\r\n",
        "user-agent: crawler\rdisallow: /x\rallow: /x/y\r",
        "user-agent: crawler\r\ndisallow: /x\rallow: /x/y\n",
        "user-agent: crawler\n\rdisallow: /x\r\n\r\nallow: /x/y",  // odd mixes, no final newline
        "user-agent: crawler\ndisallow: /x\nallow: /x/y"}) {
    EXPECT_FALSE(allowed(body, "crawler", "/x/z")) << body;
    EXPECT_TRUE(allowed(body, "crawler", "/x/y")) << body;
    EXPECT_TRUE(allowed(body, "crawler", "/a")) << body;
  }
}

TEST(RobotsParseTest, ByteOrderMarkAtStartIsSkippedEvenIfTruncated) {
  const std::string rules = "user-agent: crawler\ndisallow: /x\n";
  for (const std::string_view bom : {"\xEF\xBB\xBF", "\xEF\xBB", "\xEF"}) {
    EXPECT_FALSE(allowed(std::string(bom) + rules, "crawler", "/x")) << "BOM bytes: " << bom.size();
  }
  // A broken BOM spoils the first line only, like any other garbage at its start.
  EXPECT_TRUE(allowed("\xEF\x11\xBF" + rules, "crawler", "/x"));
  // A BOM in the middle of the file is not skipped: it spoils the line it starts.
  EXPECT_TRUE(
      allowed("user-agent: crawler\n\xEF\xBB\xBF"
              "disallow: /x\n",
              "crawler", "/x"));
  EXPECT_FALSE(allowed("\xEF\xBB\xBF\nuser-agent: crawler\ndisallow: /x\n", "crawler", "/x"));
}

TEST(RobotsParseTest, LongLinesAreCutAndStillMatchAsPrefix) {
  const std::string prefix = "disallow: ";
  const std::string long_pattern = "/x/" + std::string(kRobotsMaxLineBytes, 'a') + "/qux";
  const std::string body = "user-agent: crawler\n" + prefix + long_pattern + "\nallow: /x/a\n";
  // The kept part of the line holds kRobotsMaxLineBytes - prefix octets of the pattern.
  const std::string kept = long_pattern.substr(0, kRobotsMaxLineBytes - prefix.size());
  EXPECT_FALSE(allowed(body, "crawler", kept));
  EXPECT_FALSE(allowed(body, "crawler", kept + "bbb"));
  EXPECT_TRUE(allowed(body, "crawler", kept.substr(0, kept.size() - 1)));
  // The next line is read normally.
  EXPECT_TRUE(allowed(body, "crawler", "/x/ab"));
}

// ---------------------------------------------------------------------------------------------
// Groups: which rules apply to an agent.

TEST(RobotsGroupTest, AgentIsMatchedCaseInsensitively) {
  const std::string body = "User-agent: CrAwLeR\nDisallow: /\n";
  EXPECT_FALSE(allowed(body, "crawler", "/x"));
  EXPECT_FALSE(allowed(body, "CRAWLER", "/x"));
  EXPECT_TRUE(allowed(body, "otherbot", "/x"));
}

TEST(RobotsGroupTest, UserAgentValueIsReducedToItsProductToken) {
  for (const std::string_view line :
       {"User-agent: crawler/1.0", "User-agent: crawler (+http://x)", "User-agent: crawler bot",
        "User-agent: crawler;v2", "User-agent:crawler"}) {
    const std::string body = std::string(line) + "\nDisallow: /\n";
    EXPECT_FALSE(allowed(body, "crawler", "/x")) << line;
  }
  // Digits are not part of a product token (Google), so "bot2" is read as "bot".
  EXPECT_FALSE(allowed("User-agent: bot2\nDisallow: /\n", "bot", "/x"));
  EXPECT_TRUE(allowed("User-agent: bot2\nDisallow: /\n", "bot2", "/x"));
  EXPECT_FALSE(allowed("User-agent: Google-bot_X\nDisallow: /\n", "google-bot_x", "/x"));
  // The caller's agent is compared verbatim: a version or a space makes it name nothing.
  EXPECT_TRUE(allowed("User-agent: crawler/1.0\nDisallow: /\n", "crawler/1.0", "/x"));
  EXPECT_TRUE(allowed("User-agent: crawler bot\nDisallow: /\n", "crawler bot", "/x"));
}

TEST(RobotsGroupTest, EmptyAgentAndEmptyUserAgentValueNameNothing) {
  EXPECT_TRUE(allowed("User-agent:\nDisallow: /\n", "", "/x"));
  EXPECT_TRUE(allowed("User-agent: /1.0\nDisallow: /\n", "", "/x"));
  EXPECT_TRUE(allowed("User-agent: crawler\nDisallow: /\n", "", "/x"));
  // An empty agent still obeys the global group.
  EXPECT_FALSE(allowed("User-agent: *\nDisallow: /\n", "", "/x"));
}

TEST(RobotsGroupTest, StarFollowedBySpaceIsGlobalButStarPrefixIsNot) {
  EXPECT_FALSE(allowed("User-agent: *\nDisallow: /\n", "crawler", "/x"));
  EXPECT_FALSE(allowed("User-agent: * # everyone\nDisallow: /\n", "crawler", "/x"));
  EXPECT_FALSE(allowed("User-agent: * all bots\nDisallow: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("User-agent: *bot\nDisallow: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("User-agent: *bot\nDisallow: /\n", "bot", "/x"));
}

TEST(RobotsGroupTest, SpecificGroupReplacesGlobalGroup) {
  const std::string body =
      "User-agent: *\nDisallow: /private\nDisallow: /tmp\n"
      "User-agent: crawler\nDisallow: /tmp\n";
  EXPECT_TRUE(allowed(body, "crawler", "/private"));  // not inherited from '*'
  EXPECT_FALSE(allowed(body, "crawler", "/tmp"));
  EXPECT_FALSE(allowed(body, "otherbot", "/private"));
}

TEST(RobotsGroupTest, EmptySpecificGroupAllowsEverything) {
  const std::string body = "User-agent: *\nDisallow: /\n\nUser-agent: crawler\n";
  EXPECT_TRUE(allowed(body, "crawler", "/x"));
  EXPECT_FALSE(allowed(body, "otherbot", "/x"));
  // Also when its only rules are empty.
  EXPECT_TRUE(
      allowed("User-agent: *\nDisallow: /\nUser-agent: crawler\nDisallow:\n", "crawler", "/x"));
}

TEST(RobotsGroupTest, GroupsNamingTheSameAgentAreMerged) {
  const std::string body =
      "User-agent: crawler\nDisallow: /a\n"
      "User-agent: other\nDisallow: /b\n"
      "User-agent: CRAWLER\nDisallow: /c\nAllow: /a/open\n";
  EXPECT_FALSE(allowed(body, "crawler", "/a"));
  EXPECT_TRUE(allowed(body, "crawler", "/b"));
  EXPECT_FALSE(allowed(body, "crawler", "/c"));
  EXPECT_TRUE(allowed(body, "crawler", "/a/open"));  // an allow from a later group wins
  EXPECT_FALSE(allowed(body, "other", "/b"));
  EXPECT_TRUE(allowed(body, "other", "/a"));
}

TEST(RobotsGroupTest, GlobalGroupsAreMergedToo) {
  const std::string body =
      "User-agent: *\nDisallow: /a\nUser-agent: x\nDisallow: /\n"
      "User-agent: *\nDisallow: /b\n";
  EXPECT_FALSE(allowed(body, "crawler", "/a"));
  EXPECT_FALSE(allowed(body, "crawler", "/b"));
  EXPECT_TRUE(allowed(body, "crawler", "/c"));
}

TEST(RobotsGroupTest, ConsecutiveUserAgentLinesShareTheirRules) {
  const std::string body =
      "User-agent: a\nUser-agent: crawler\n\n# comment\nUser-agent: b\nDisallow: /x\n"
      "User-agent: c\nDisallow: /y\n";
  for (const std::string_view agent : {"a", "crawler", "b"}) {
    EXPECT_FALSE(allowed(body, agent, "/x")) << agent;
    EXPECT_TRUE(allowed(body, agent, "/y")) << agent;
  }
  EXPECT_TRUE(allowed(body, "c", "/x"));
  EXPECT_FALSE(allowed(body, "c", "/y"));
}

TEST(RobotsGroupTest, GroupNamingAgentAndStarIsSpecificForTheAgent) {
  const std::string body =
      "User-agent: *\nDisallow: /global\n"
      "User-agent: crawler\nUser-agent: *\nDisallow: /shared\n";
  EXPECT_TRUE(allowed(body, "crawler", "/global"));
  EXPECT_FALSE(allowed(body, "crawler", "/shared"));
  EXPECT_FALSE(allowed(body, "otherbot", "/global"));
  EXPECT_FALSE(allowed(body, "otherbot", "/shared"));
}

TEST(RobotsGroupTest, BlankLinesSitemapsAndUnknownLinesDoNotEndAGroup) {
  const std::string body =
      "User-agent: a\n\nSitemap: http://h/s.xml\nfoo: bar\nCrawl-delay: 3\n"
      "User-agent: crawler\n\n\nDisallow: /x\n\n\nAllow: /x/y\n";
  EXPECT_FALSE(allowed(body, "a", "/x"));
  EXPECT_FALSE(allowed(body, "crawler", "/x"));
  EXPECT_TRUE(allowed(body, "crawler", "/x/y"));
}

TEST(RobotsGroupTest, RulesBeforeTheFirstUserAgentAreIgnored) {
  const std::string body = "Disallow: /\nAllow: /x\nUser-agent: crawler\nDisallow: /y\n";
  EXPECT_TRUE(allowed(body, "crawler", "/z"));
  EXPECT_TRUE(allowed(body, "otherbot", "/z"));
  EXPECT_FALSE(allowed(body, "crawler", "/y"));
}

TEST(RobotsGroupTest, NoApplicableGroupMeansAllowed) {
  EXPECT_TRUE(allowed("User-agent: other\nDisallow: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("", "crawler", "/x"));
  EXPECT_TRUE(allowed("\n\n# nothing\n", "crawler", "/x"));
}

// ---------------------------------------------------------------------------------------------
// Precedence between allow and disallow.

TEST(RobotsPrecedenceTest, LongestPatternWinsWhateverTheOrder) {
  for (const std::string_view body :
       {"User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n",
        "User-agent: *\nDisallow: /a/b/c\nAllow: /a/b\nDisallow: /a\n"}) {
    EXPECT_FALSE(allowed(body, "crawler", "/a")) << body;
    EXPECT_TRUE(allowed(body, "crawler", "/a/b")) << body;
    EXPECT_FALSE(allowed(body, "crawler", "/a/b/c/d")) << body;
  }
}

TEST(RobotsPrecedenceTest, LengthIsCountedOnThePatternText) {
  // "/x/page." (8) beats "/*.html" (7) even though the latter covers more of the URL.
  const std::string body = "User-agent: *\nAllow: /x/page.\nDisallow: /*.html\n";
  EXPECT_TRUE(allowed(body, "crawler", "/x/page.html"));
  EXPECT_FALSE(allowed(body, "crawler", "/y/page.html"));
  // Wildcards and '$' count too; escapes count in their normalised, encoded form.
  EXPECT_FALSE(allowed("User-agent: *\nAllow: /ab\nDisallow: /*b$\n", "crawler", "/ab"));
  EXPECT_TRUE(
      allowed("User-agent: *\nDisallow: /%E3%83\nAllow: /\xE3\x83\x84\n", "crawler", "/%E3%83%84"));
}

TEST(RobotsPrecedenceTest, AllowWinsATie) {
  EXPECT_TRUE(allowed("User-agent: *\nDisallow: /\nAllow: /\n", "crawler", "/x"));
  EXPECT_TRUE(allowed("User-agent: *\nAllow: /folder\nDisallow: /folder\n", "crawler", "/folder"));
  EXPECT_TRUE(allowed("User-agent: *\nDisallow: /*.htm\nAllow: /page.h\n", "crawler", "/page.htm"));
  EXPECT_FALSE(allowed("User-agent: *\nDisallow: /*.htm\nAllow: /page\n", "crawler", "/page.htm"));
}

TEST(RobotsPrecedenceTest, EmptyPatternsNeverDecide) {
  EXPECT_TRUE(allowed("User-agent: *\nDisallow:\n", "crawler", "/x"));
  EXPECT_FALSE(allowed("User-agent: *\nAllow:\nDisallow: /\n", "crawler", "/x"));
}

TEST(RobotsPrecedenceTest, IndexHtmlAllowsItsDirectoryExactly) {
  const std::string body =
      "User-agent: *\nAllow: /d/index.html\nAllow: /e/index.htm\nDisallow: /\n";
  EXPECT_TRUE(allowed(body, "crawler", "/d/"));
  EXPECT_TRUE(allowed(body, "crawler", "/d/index.html"));
  EXPECT_FALSE(allowed(body, "crawler", "/d/index.htm"));
  EXPECT_FALSE(allowed(body, "crawler", "/d/other"));
  EXPECT_FALSE(allowed(body, "crawler", "/d/?q"));
  EXPECT_TRUE(allowed(body, "crawler", "/e/"));
  EXPECT_TRUE(allowed(body, "crawler", "/e/index.htm"));
  // Disallow patterns get no such treatment.
  EXPECT_TRUE(allowed("User-agent: *\nDisallow: /d/index.html\n", "crawler", "/d/"));
}

TEST(RobotsPrecedenceTest, QueryAndParamsAreMatchedVerbatim) {
  const std::string body = "User-agent: *\nDisallow: /*?\nDisallow: /*;s=\nAllow: /a?ok=1&b=c\n";
  EXPECT_TRUE(allowed(body, "crawler", "http://h/a"));
  EXPECT_FALSE(allowed(body, "crawler", "http://h/a?x"));
  EXPECT_FALSE(allowed(body, "crawler", "http://h/a;s=1"));
  EXPECT_TRUE(allowed(body, "crawler", "http://h/a?ok=1&b=c&more"));
  EXPECT_TRUE(allowed(body, "crawler", "http://h/a#frag?x"));  // the fragment is not matched
}

TEST(RobotsPrecedenceTest, RobotsTxtIsAlwaysAllowed) {
  const std::string body = "User-agent: *\nDisallow: /\nDisallow: /robots.txt$\n";
  EXPECT_TRUE(allowed(body, "crawler", "http://h/robots.txt"));
  EXPECT_TRUE(allowed(body, "crawler", "/robots.txt"));
  EXPECT_TRUE(allowed(body, "crawler", "http://h/robots.txt?x=1"));
  EXPECT_FALSE(allowed(body, "crawler", "http://h/robots.txt.bak"));
  EXPECT_FALSE(allowed(body, "crawler", "http://h/dir/robots.txt"));
  EXPECT_TRUE(RobotsRules::disallow_all().allowed("crawler", "http://h/robots.txt"));
}

// ---------------------------------------------------------------------------------------------
// The fixed policies for robots.txt fetch failures.

TEST(RobotsPolicyTest, AllowAllAndDefaultAllowEverything) {
  for (const RobotsRules& rules : {RobotsRules::allow_all(), RobotsRules()}) {
    EXPECT_TRUE(rules.allowed("crawler", "http://h/"));
    EXPECT_TRUE(rules.allowed("crawler", "http://h/private/x?y"));
    EXPECT_TRUE(rules.allowed("", ""));
    EXPECT_EQ(rules.crawl_delay("crawler"), std::nullopt);
    EXPECT_THAT(rules.sitemaps(), IsEmpty());
  }
}

TEST(RobotsPolicyTest, DisallowAllDisallowsEverythingButRobotsTxt) {
  const RobotsRules rules = RobotsRules::disallow_all();
  EXPECT_FALSE(rules.allowed("crawler", "http://h/"));
  EXPECT_FALSE(rules.allowed("crawler", "http://h/x"));
  EXPECT_FALSE(rules.allowed("", ""));
  EXPECT_EQ(rules.crawl_delay("crawler"), std::nullopt);
  EXPECT_THAT(rules.sitemaps(), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// Crawl-delay and Sitemap.

TEST(RobotsCrawlDelayTest, IsReadPerGroup) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\nCrawl-delay: 10\nDisallow: /x\n"
      "User-agent: crawler\nCrawl-delay: 0.5\nUser-agent: slow\nDisallow: /private\n"
      "User-agent: quiet\nDisallow: /\n");
  EXPECT_THAT(rules.crawl_delay("crawler"), Optional(0.5));
  EXPECT_THAT(rules.crawl_delay("CRAWLER"), Optional(0.5));
  EXPECT_THAT(rules.crawl_delay("otherbot"), Optional(10.0));
  EXPECT_THAT(rules.crawl_delay(""), Optional(10.0));
  // A specific group without a delay does not inherit the '*' group's.
  EXPECT_EQ(rules.crawl_delay("quiet"), std::nullopt);
  // A Crawl-delay line between user-agent lines does not split the group (Google ignores the
  // line altogether, so splitting there would change which rules apply).
  EXPECT_THAT(rules.crawl_delay("slow"), Optional(0.5));
  EXPECT_FALSE(rules.allowed("crawler", "/private"));
  EXPECT_TRUE(rules.allowed("crawler", "/x"));
}

TEST(RobotsCrawlDelayTest, AcceptsKeyVariantsAndDecimalNumbersOnly) {
  const auto delay = [](std::string_view line) {
    return RobotsRules::parse("User-agent: crawler\n" + std::string(line) + "\n")
        .crawl_delay("crawler");
  };
  EXPECT_THAT(delay("Crawl-delay: 5"), Optional(5.0));
  EXPECT_THAT(delay("crawl-delay:2.25"), Optional(2.25));
  EXPECT_THAT(delay("CRAWL-DELAY: 0"), Optional(0.0));
  EXPECT_THAT(delay("Crawl-delay: .5"), Optional(0.5));
  EXPECT_THAT(delay("Crawl-delay: 7 # seconds"), Optional(7.0));
  EXPECT_THAT(delay("crawldelay: 3"), Optional(3.0));
  EXPECT_THAT(delay("crawl delay: 3"), Optional(3.0));
  EXPECT_THAT(delay("crawl-delay 4"), Optional(4.0));
  for (const std::string_view bad :
       {"Crawl-delay:", "Crawl-delay: soon", "Crawl-delay: 5s", "Crawl-delay: -1",
        "Crawl-delay: -0", "Crawl-delay: inf", "Crawl-delay: nan", "Crawl-delay: 1e3",
        "Crawl-delay: 0x10", "Crawl-delay: +3", "Crawl-delay: 1,5"}) {
    EXPECT_EQ(delay(bad), std::nullopt) << bad;
  }
}

TEST(RobotsCrawlDelayTest, LargestValueOfTheChosenGroupsWins) {
  const std::string body =
      "User-agent: crawler\nCrawl-delay: 2\nCrawl-delay: oops\nDisallow: /a\n"
      "User-agent: crawler\nCrawl-delay: 7\nCrawl-delay: 1\n";
  EXPECT_THAT(RobotsRules::parse(body).crawl_delay("crawler"), Optional(7.0));
  EXPECT_EQ(RobotsRules::parse(body).crawl_delay("other"), std::nullopt);
}

TEST(RobotsCrawlDelayTest, OutsideAnyGroupIsIgnored) {
  EXPECT_EQ(RobotsRules::parse("Crawl-delay: 5\nUser-agent: *\nDisallow: /x\n").crawl_delay("c"),
            std::nullopt);
}

TEST(RobotsSitemapTest, AreCollectedInOrderFromAnywhere) {
  const std::string body =
      "Sitemap: http://h/one.xml\n"
      "User-agent: crawler\nSITEMAP:http://h/two.xml # note\nDisallow: /x\n"
      "sitemap:\n"
      "User-agent: *\nDisallow: /\nSitemap:   http://other/three.xml?a=b  \n";
  const RobotsRules rules = RobotsRules::parse(body);
  EXPECT_THAT(rules.sitemaps(),
              ElementsAre("http://h/one.xml", "http://h/two.xml", "http://other/three.xml?a=b"));
  EXPECT_FALSE(rules.allowed("crawler", "/x"));
  EXPECT_TRUE(rules.allowed("crawler", "/y"));
}

// ---------------------------------------------------------------------------------------------
// Size limits and hostile input.

TEST(RobotsLimitsTest, OnlyTheFirst500KiBAreRead) {
  std::string body = "User-agent: *\nDisallow: /early\n";
  body += std::string(kRobotsMaxBodyBytes - body.size() - 14, '\n');
  body += "Disallow: /cut-here\nDisallow: /late\n";  // straddles the limit
  ASSERT_GT(body.size(), kRobotsMaxBodyBytes);
  const RobotsRules rules = RobotsRules::parse(body);
  EXPECT_FALSE(rules.allowed("crawler", "/early"));
  // The kept part of the straddling line, "Disallow: /cut", still counts.
  EXPECT_FALSE(rules.allowed("crawler", "/cut"));
  EXPECT_FALSE(rules.allowed("crawler", "/cutlery"));
  EXPECT_TRUE(rules.allowed("crawler", "/late"));
}

TEST(RobotsLimitsTest, TenMegabytesOfBinaryGarbageParseQuickly) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> octet(0, 255);
  std::string body(std::size_t{10} * 1024 * 1024, '\0');
  for (char& c : body) c = static_cast<char>(octet(rng));
  const auto start = std::chrono::steady_clock::now();
  const RobotsRules rules = RobotsRules::parse(body);
  for (int i = 0; i < 100; ++i) {
    (void)rules.allowed("crawler", "http://h/some/path?q=" + std::to_string(i));
    (void)rules.crawl_delay("crawler");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30))
      << "exponential blow-up (normal: well under a second, even under sanitizers)";
  // Garbage that happens to contain a valid-looking directive is still obeyed; either way the
  // robots.txt URL stays allowed.
  EXPECT_TRUE(rules.allowed("crawler", "/robots.txt"));
}

// Garbage made of the format's own characters: besides not crashing, the parse is deterministic
// and /robots.txt itself stays allowed whatever the rules say (RFC 9309 2.2.2).
TEST(RobotsLimitsTest, GarbageWithStructureCharactersParsesDeterministicallyAndKeepsRobotsTxt) {
  std::mt19937 rng(7);
  static constexpr char kAlphabet[] = "a:*$#%/ \t\r\n\xEF\xBB\xBF\x00useragntdilow-";
  const std::string_view alphabet(kAlphabet, sizeof(kAlphabet) - 1);  // keeps the NUL
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  for (int round = 0; round < 200; ++round) {
    std::string body;
    for (int i = 0; i < 2000; ++i) body += alphabet[pick(rng)];
    const RobotsRules rules = RobotsRules::parse(body);
    const RobotsRules again = RobotsRules::parse(body);
    EXPECT_EQ(rules.allowed("a", "/a*$%/"), again.allowed("a", "/a*$%/"));
    EXPECT_EQ(rules.allowed("useragnt", "/dilow"), again.allowed("useragnt", "/dilow"));
    EXPECT_EQ(rules.crawl_delay("a"), again.crawl_delay("a"));
    EXPECT_TRUE(rules.allowed("a", "/robots.txt"));
    EXPECT_TRUE(rules.allowed("*", "/robots.txt"));
  }
}

TEST(RobotsLimitsTest, HundredThousandRulesParseAndMatchQuickly) {
  std::string body = "User-agent: crawler\n";
  for (int i = 0; i < 100000; ++i) {
    body += (i % 2 == 0 ? "Disallow: /d/" : "Allow: /d/") + std::to_string(i) + "/\n";
  }
  body += "Disallow: /*.secret$\n";
  ASSERT_LT(body.size(), kRobotsMaxBodyBytes * 5);  // partly beyond the limit on purpose
  const auto start = std::chrono::steady_clock::now();
  const RobotsRules rules = RobotsRules::parse(body);
  // Rules beyond the first 500 KiB are ignored; the early ones all hold.
  EXPECT_FALSE(rules.allowed("crawler", "/d/0/x"));
  EXPECT_TRUE(rules.allowed("crawler", "/d/1/x"));
  EXPECT_FALSE(rules.allowed("crawler", "/d/1000/x"));
  EXPECT_TRUE(rules.allowed("crawler", "/d/1001/x"));
  EXPECT_TRUE(rules.allowed("crawler", "/e/x"));
  for (int i = 0; i < 200; ++i) {
    (void)rules.allowed("crawler", "/d/" + std::to_string(i * 97) + "/page");
  }
  EXPECT_TRUE(rules.allowed("crawler", "/x.secret"));  // cut off by the 500 KiB limit
  EXPECT_TRUE(rules.allowed("otherbot", "/d/0/x"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30))
      << "exponential blow-up (normal: well under a second, even under sanitizers)";
}

TEST(RobotsLimitsTest, EveryRuleWithinTheLimitCounts) {
  // 100,000 short rules take more than 500 KiB: the ones wholly inside the limit must all count,
  // the ones wholly beyond must not.
  std::string body = "user-agent:*\n";
  int last_inside = -1;
  for (int i = 0; i < 100000; ++i) {
    body += "disallow:/" + std::to_string(i) + "$\n";
    if (body.size() <= kRobotsMaxBodyBytes) last_inside = i;
  }
  ASSERT_GT(last_inside, 30000);
  const auto start = std::chrono::steady_clock::now();
  const RobotsRules rules = RobotsRules::parse(body);
  for (int i = 0; i <= last_inside; i += 997) {
    EXPECT_FALSE(rules.allowed("crawler", "/" + std::to_string(i))) << i;
    EXPECT_TRUE(rules.allowed("crawler", "/" + std::to_string(i) + "/")) << i;
  }
  EXPECT_FALSE(rules.allowed("crawler", "/" + std::to_string(last_inside)));
  EXPECT_TRUE(rules.allowed("crawler", "/" + std::to_string(last_inside + 2)));
  EXPECT_TRUE(rules.allowed("crawler", "/99999"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30))
      << "exponential blow-up (normal: well under a second, even under sanitizers)";
}

TEST(RobotsLimitsTest, ConcurrentQueriesOnOneObjectAgree) {
  const RobotsRules rules = RobotsRules::parse(
      "User-agent: *\nDisallow: /private\nAllow: /private/ok\nCrawl-delay: 1.5\n"
      "User-agent: crawler\nDisallow: /*.pdf$\n");
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&rules, &failures, t] {
      for (int i = 0; i < 2000; ++i) {
        if (rules.allowed("otherbot", "/private/x")) ++failures[t];
        if (!rules.allowed("otherbot", "/private/ok/x")) ++failures[t];
        if (rules.allowed("crawler", "/a/b.pdf")) ++failures[t];
        if (!rules.allowed("crawler", "/private/x")) ++failures[t];
        if (rules.crawl_delay("otherbot") != 1.5) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(failures, ::testing::Each(0));
}

}  // namespace
}  // namespace crawler
