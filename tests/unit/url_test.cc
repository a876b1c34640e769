#include "crawler/url/url.h"

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "tests/support/conformance.h"

namespace crawler {
namespace {

using ::testing::Optional;

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

// ---------------------------------------------------------------------------------------------
// Conformance vectors (RFC 3986), from the shared conformance folder.

TEST(UrlConformanceTest, EveryNormalizationVectorPasses) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const auto vectors = testing::read_conformance_jsonl("urls/normalization.jsonl");
  std::size_t checked = 0;
  for (const auto& vector : vectors) {
    const std::string input = vector.at("input");
    const std::string expected = vector.at("expected");
    EXPECT_THAT(normalize_url(input), Optional(expected))
        << "input: " << input << "\nrule: " << vector.at("rule").get<std::string>();
    ++checked;
  }
  EXPECT_EQ(checked, 58u);
  EXPECT_EQ(checked, count_non_empty_lines("urls/normalization.jsonl"));
}

TEST(UrlConformanceTest, EveryExpectedNormalizationIsAFixedPoint) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const auto vectors = testing::read_conformance_jsonl("urls/normalization.jsonl");
  std::size_t checked = 0;
  for (const auto& vector : vectors) {
    const std::string expected = vector.at("expected");
    EXPECT_THAT(normalize_url(expected), Optional(expected));
    ++checked;
  }
  EXPECT_EQ(checked, 58u);
  EXPECT_EQ(checked, count_non_empty_lines("urls/normalization.jsonl"));
}

TEST(UrlConformanceTest, EveryResolutionVectorPasses) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const auto vectors = testing::read_conformance_jsonl("urls/rfc3986_resolution.jsonl");
  std::size_t checked = 0;
  for (const auto& vector : vectors) {
    const std::string base = vector.at("base");
    const std::string ref = vector.at("ref");
    const std::string expected = vector.at("expected");
    EXPECT_THAT(resolve_reference(base, ref), Optional(expected))
        << "base: " << base << "\nref: \"" << ref
        << "\"\nsection: " << vector.at("section").get<std::string>();
    ++checked;
  }
  EXPECT_EQ(checked, 42u);
  EXPECT_EQ(checked, count_non_empty_lines("urls/rfc3986_resolution.jsonl"));
}

// resolve_url is resolve_reference followed by normalize_url, on every RFC vector.
TEST(UrlConformanceTest, ResolveUrlNormalizesEveryResolutionVector) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const auto vectors = testing::read_conformance_jsonl("urls/rfc3986_resolution.jsonl");
  std::size_t checked = 0;
  for (const auto& vector : vectors) {
    const std::string base = vector.at("base");
    const std::string ref = vector.at("ref");
    EXPECT_EQ(resolve_url(base, ref), normalize_url(vector.at("expected").get<std::string>()))
        << "ref: \"" << ref << "\"";
    ++checked;
  }
  EXPECT_EQ(checked, count_non_empty_lines("urls/rfc3986_resolution.jsonl"));
}

// ---------------------------------------------------------------------------------------------
// normalize_url beyond the vectors.

TEST(UrlNormalizeTest, RejectsInvalidInputs) {
  EXPECT_EQ(normalize_url(""), std::nullopt);
  EXPECT_EQ(normalize_url("http://"), std::nullopt);
  EXPECT_EQ(normalize_url("ht tp://x"), std::nullopt);
  EXPECT_EQ(normalize_url("http://exa mple.com/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://example.com:99999/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://example.com:8o/"), std::nullopt);
  EXPECT_EQ(normalize_url("example.com/a"), std::nullopt);
  EXPECT_EQ(normalize_url("//example.com/a"), std::nullopt);
  EXPECT_EQ(normalize_url("/a/b"), std::nullopt);
  EXPECT_EQ(normalize_url("1http://example.com/"), std::nullopt);
  EXPECT_EQ(normalize_url(" http://example.com/"), std::nullopt);
}

TEST(UrlNormalizeTest, RejectsHttpWithoutHost) {
  // curl alone would turn "http:///x" into "http://x/".
  EXPECT_EQ(normalize_url("http:///x"), std::nullopt);
  EXPECT_EQ(normalize_url("http:g"), std::nullopt);
  EXPECT_EQ(normalize_url("https:/a/b"), std::nullopt);
}

TEST(UrlNormalizeTest, RejectsControlCharacters) {
  EXPECT_EQ(normalize_url("http://example.com/a\x01"), std::nullopt);
  EXPECT_EQ(normalize_url("http://example.com/a\tb"), std::nullopt);
  EXPECT_EQ(normalize_url("http://example.com/?q=\x7f"), std::nullopt);
  EXPECT_EQ(normalize_url("http://example.com/\n"), std::nullopt);
  EXPECT_EQ(normalize_url(std::string("http://example.com/a\0b", 22)), std::nullopt);
}

TEST(UrlNormalizeTest, RejectsHostsCurlWouldDecodeIntoSomethingElse) {
  EXPECT_EQ(normalize_url("http://x%25y/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://a%2Fb/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://a@b@c/"), std::nullopt);
}

TEST(UrlNormalizeTest, RejectsNonAsciiAuthority) {
  EXPECT_EQ(normalize_url("http://ex\xC3\xA4mple.com/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://\xC3\xA9@example.com/"), std::nullopt);
}

TEST(UrlNormalizeTest, LimitsLengthTo8KiB) {
  const std::string prefix = "http://example.com/";
  const std::string longest = prefix + std::string(kMaxUrlLength - prefix.size(), 'a');
  ASSERT_EQ(longest.size(), 8192u);
  EXPECT_THAT(normalize_url(longest), Optional(longest));
  EXPECT_EQ(normalize_url(longest + "a"), std::nullopt);
  // Too long as input even though decoding would shrink it below the limit.
  std::string shrinking = prefix;
  for (int i = 0; i < 3000; ++i) shrinking += "%41";
  EXPECT_EQ(normalize_url(shrinking), std::nullopt);
  // Fits as input, but percent-encoding the space makes the result too long.
  EXPECT_EQ(normalize_url(longest.substr(0, longest.size() - 1) + " "), std::nullopt);
}

TEST(UrlNormalizeTest, PercentEncodesRawSpacesAndNonAsciiInPathAndQuery) {
  EXPECT_THAT(normalize_url("http://example.com/a b?c d"),
              Optional(std::string("http://example.com/a%20b?c%20d")));
  EXPECT_THAT(normalize_url("http://example.com/caf\xC3\xA9?q=\xC3\xA9"),
              Optional(std::string("http://example.com/caf%C3%A9?q=%C3%A9")));
  EXPECT_THAT(normalize_url("http://example.com/{a}|\"<b>\\^`"),
              Optional(std::string("http://example.com/%7Ba%7D%7C%22%3Cb%3E%5C%5E%60")));
}

TEST(UrlNormalizeTest, KeepsAllowedRawCharacters) {
  EXPECT_THAT(normalize_url("http://example.com/a:b@c!$&'()*+,;=?x=/?:@[]"),
              Optional(std::string("http://example.com/a:b@c!$&'()*+,;=?x=/?:@[]")));
}

TEST(UrlNormalizeTest, EncodesPercentThatStartsNoTriplet) {
  EXPECT_THAT(normalize_url("http://example.com/100%"),
              Optional(std::string("http://example.com/100%25")));
  EXPECT_THAT(normalize_url("http://example.com/%zz?%4"),
              Optional(std::string("http://example.com/%25zz?%254")));
  // Left raw, this '%' would pair with the decoded "%34" ('4') and break idempotence.
  EXPECT_THAT(normalize_url("http://example.com/%%341"),
              Optional(std::string("http://example.com/%2541")));
}

TEST(UrlNormalizeTest, IsIdempotentOnLenientInputs) {
  for (const char* input :
       {"http://example.com/%%341", "http://example.com/a b/../c d", "http://X.com:80?%7e#f",
        "foo:/.//x", "http://example.com/%2e/%2E%2e/a", "http://[::1]:8080/a/./b"}) {
    const std::optional<std::string> once = normalize_url(input);
    ASSERT_TRUE(once.has_value()) << input;
    EXPECT_THAT(normalize_url(*once), Optional(*once)) << input;
  }
}

TEST(UrlNormalizeTest, CanonicalisesHostThroughCurl) {
  EXPECT_THAT(normalize_url("http://ex%41mple.COM/"), Optional(std::string("http://example.com/")));
  EXPECT_THAT(normalize_url("http://0x7f.1:8080/"),
              Optional(std::string("http://127.0.0.1:8080/")));
  EXPECT_THAT(normalize_url("http://example.com:0080/"),
              Optional(std::string("http://example.com/")));
  EXPECT_THAT(normalize_url("http://[fe80::A%25Eth0]/"),
              Optional(std::string("http://[fe80::a%25Eth0]/")));
}

TEST(UrlNormalizeTest, KeepsUserinfoAndEmptyQuery) {
  EXPECT_THAT(normalize_url("http://U%3a:P%40@Example.com:/x?"),
              Optional(std::string("http://U%3a:P%40@example.com/x?")));
}

TEST(UrlNormalizeTest, JavascriptUrlNormalisesButIsNotHttp) {
  const std::optional<std::string> url = normalize_url("JavaScript:alert(1)");
  EXPECT_THAT(url, Optional(std::string("javascript:alert(1)")));
  ASSERT_TRUE(url.has_value());
  EXPECT_FALSE(is_http_scheme(url->substr(0, url->find(':'))));
  EXPECT_EQ(split_url(*url), std::nullopt);
}

TEST(UrlNormalizeTest, MailtoAndDataGetSyntaxRulesOnly) {
  EXPECT_THAT(normalize_url("MAILTO:Someone@Example.COM?subject=Hi%20there#x"),
              Optional(std::string("mailto:Someone@Example.COM?subject=Hi%20there")));
  EXPECT_THAT(normalize_url("data:text/plain;charset=utf-8,a%2cb%41"),
              Optional(std::string("data:text/plain;charset=utf-8,a%2CbA")));
  // An opaque path is data, not a hierarchy: its dot segments stay.
  EXPECT_THAT(normalize_url("mailto:a/../b"), Optional(std::string("mailto:a/../b")));
}

TEST(UrlNormalizeTest, OtherSchemesKeepPortAndEmptyPath) {
  EXPECT_THAT(normalize_url("FTP://Example.com:21"), Optional(std::string("ftp://example.com:21")));
  EXPECT_THAT(normalize_url("foo://a:/"), Optional(std::string("foo://a/")));
  EXPECT_THAT(normalize_url("foo://a:80"), Optional(std::string("foo://a:80")));
}

TEST(UrlNormalizeTest, KeepsPathFromTurningIntoAnAuthority) {
  EXPECT_THAT(normalize_url("foo:/.//x"), Optional(std::string("foo:/.//x")));
  EXPECT_THAT(normalize_url("foo:/a/..//x"), Optional(std::string("foo:/.//x")));
}

// ---------------------------------------------------------------------------------------------
// resolve_url and resolve_reference beyond the vectors.

constexpr const char* kPage = "https://example.com/docs/guide/page.html?lang=en#intro";

TEST(UrlResolveTest, ResolvesLinksFoundInAPage) {
  EXPECT_THAT(resolve_url(kPage, "next.html"),
              Optional(std::string("https://example.com/docs/guide/next.html")));
  EXPECT_THAT(resolve_url(kPage, "../api/Index.html"),
              Optional(std::string("https://example.com/docs/api/Index.html")));
  EXPECT_THAT(resolve_url(kPage, "../../../../top"),
              Optional(std::string("https://example.com/top")));
  EXPECT_THAT(resolve_url(kPage, "/root?a=1"),
              Optional(std::string("https://example.com/root?a=1")));
  EXPECT_THAT(resolve_url(kPage, "?x"),
              Optional(std::string("https://example.com/docs/guide/page.html?x")));
  EXPECT_THAT(resolve_url(kPage, "sub/dir/"),
              Optional(std::string("https://example.com/docs/guide/sub/dir/")));
}

TEST(UrlResolveTest, FragmentOnlyAndEmptyReferencesGiveTheBasePage) {
  const std::string page = "https://example.com/docs/guide/page.html?lang=en";
  EXPECT_THAT(resolve_url(kPage, "#x"), Optional(page));
  EXPECT_THAT(resolve_url(kPage, "#"), Optional(page));
  EXPECT_THAT(resolve_url(kPage, ""), Optional(page));
}

TEST(UrlResolveTest, AbsoluteAndProtocolRelativeReferences) {
  EXPECT_THAT(resolve_url(kPage, "HTTP://Other.ORG:80/x#y"),
              Optional(std::string("http://other.org/x")));
  EXPECT_THAT(resolve_url(kPage, "//cdn.example.net/lib.js"),
              Optional(std::string("https://cdn.example.net/lib.js")));
  EXPECT_THAT(resolve_url("http://example.com/a", "//cdn.example.net:443"),
              Optional(std::string("http://cdn.example.net:443/")));
}

TEST(UrlResolveTest, TrimsWhitespaceAroundHrefAndEncodesInside) {
  EXPECT_THAT(resolve_url(kPage, "  \n my file.html\t "),
              Optional(std::string("https://example.com/docs/guide/my%20file.html")));
  EXPECT_THAT(resolve_url(kPage, "caf\xC3\xA9.html"),
              Optional(std::string("https://example.com/docs/guide/caf%C3%A9.html")));
}

TEST(UrlResolveTest, NonHttpReferencesResolveButAreNotHttp) {
  EXPECT_THAT(resolve_url(kPage, "mailto:someone@example.com"),
              Optional(std::string("mailto:someone@example.com")));
  EXPECT_THAT(resolve_url(kPage, "javascript:void(0)"),
              Optional(std::string("javascript:void(0)")));
  EXPECT_FALSE(is_http_scheme("mailto"));
}

TEST(UrlResolveTest, RejectsInvalidBasesAndReferences) {
  EXPECT_EQ(resolve_url("/relative/base", "x"), std::nullopt);
  EXPECT_EQ(resolve_url("", "x"), std::nullopt);
  EXPECT_EQ(resolve_url("http://exa mple.com/", "x"), std::nullopt);
  EXPECT_EQ(resolve_url(kPage, "//exa mple.com/"), std::nullopt);
  EXPECT_EQ(resolve_url(kPage, "http://example.com:99999/"), std::nullopt);
  EXPECT_EQ(resolve_url(kPage, "ht tp://x"), std::nullopt);
  EXPECT_EQ(resolve_url(kPage, "a\x01"), std::nullopt);
  EXPECT_EQ(resolve_url(kPage, std::string(kMaxUrlLength + 1, 'a')), std::nullopt);
}

TEST(UrlResolveTest, ResolveReferenceKeepsFragmentAndSkipsNormalisation) {
  EXPECT_THAT(resolve_reference("HTTP://A/b/c", "D/%7e#Frag"),
              Optional(std::string("HTTP://A/b/D/%7e#Frag")));
  EXPECT_THAT(resolve_reference("http://a", "b"), Optional(std::string("http://a/b")));
  EXPECT_THAT(resolve_reference("foo:a/b", "c"), Optional(std::string("foo:a/c")));
}

// ---------------------------------------------------------------------------------------------
// split_url, url_origin, is_http_scheme, url_fingerprint.

TEST(UrlSplitTest, SplitsHttpAndHttps) {
  const std::optional<UrlParts> http = split_url("http://user:pw@example.com/a/b?c=d");
  ASSERT_TRUE(http.has_value());
  EXPECT_EQ(http->scheme, "http");
  EXPECT_EQ(http->host, "example.com");
  EXPECT_EQ(http->port, 80);
  EXPECT_EQ(http->path_and_query, "/a/b?c=d");

  const std::optional<UrlParts> https = split_url("https://example.com:8443/?");
  ASSERT_TRUE(https.has_value());
  EXPECT_EQ(https->scheme, "https");
  EXPECT_EQ(https->port, 8443);
  EXPECT_EQ(https->path_and_query, "/?");

  const std::optional<UrlParts> default_https = split_url("https://example.com/");
  ASSERT_TRUE(default_https.has_value());
  EXPECT_EQ(default_https->port, 443);
}

TEST(UrlSplitTest, SplitsIpv6Literal) {
  const std::optional<UrlParts> parts = split_url("http://[::1]:8080/x");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->host, "[::1]");
  EXPECT_EQ(parts->port, 8080);
  EXPECT_EQ(parts->path_and_query, "/x");
  EXPECT_EQ(url_origin(*parts), "http://[::1]:8080");

  const std::optional<UrlParts> no_port = split_url("http://[::1]/");
  ASSERT_TRUE(no_port.has_value());
  EXPECT_EQ(no_port->host, "[::1]");
  EXPECT_EQ(no_port->port, 80);
}

TEST(UrlSplitTest, RejectsUrlsWithoutHostOrWithBadPort) {
  EXPECT_EQ(split_url("mailto:a@b.c"), std::nullopt);
  EXPECT_EQ(split_url("/a/b"), std::nullopt);
  EXPECT_EQ(split_url("http:///a"), std::nullopt);
  EXPECT_EQ(split_url("http://a:99999/"), std::nullopt);
  EXPECT_EQ(split_url("http://a:-1/"), std::nullopt);
  EXPECT_EQ(split_url("http://a:8o/"), std::nullopt);
  EXPECT_EQ(split_url("http://[::1/"), std::nullopt);
  EXPECT_EQ(split_url("http://[::1]x/"), std::nullopt);
}

TEST(UrlSplitTest, OriginOmitsOnlyTheDefaultPort) {
  EXPECT_EQ(url_origin(UrlParts{"http", "example.com", 80, "/"}), "http://example.com");
  EXPECT_EQ(url_origin(UrlParts{"https", "example.com", 443, "/a"}), "https://example.com");
  EXPECT_EQ(url_origin(UrlParts{"http", "example.com", 443, "/"}), "http://example.com:443");
  EXPECT_EQ(url_origin(UrlParts{"https", "example.com", 80, "/"}), "https://example.com:80");
  EXPECT_EQ(url_origin(UrlParts{"http", "example.com", 8080, "/"}), "http://example.com:8080");
}

TEST(UrlSplitTest, OriginOfSplitNormalisedUrl) {
  const std::optional<std::string> url = normalize_url("HTTPS://u@Example.com:443/a?b#c");
  ASSERT_TRUE(url.has_value());
  const std::optional<UrlParts> parts = split_url(*url);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(url_origin(*parts), "https://example.com");
  EXPECT_EQ(parts->path_and_query, "/a?b");
}

TEST(UrlSchemeTest, OnlyHttpAndHttpsAreHttp) {
  EXPECT_TRUE(is_http_scheme("http"));
  EXPECT_TRUE(is_http_scheme("https"));
  EXPECT_TRUE(is_http_scheme("HTTPS"));
  EXPECT_FALSE(is_http_scheme("javascript"));
  EXPECT_FALSE(is_http_scheme("ftp"));
  EXPECT_FALSE(is_http_scheme("httpx"));
  EXPECT_FALSE(is_http_scheme("http:"));
  EXPECT_FALSE(is_http_scheme(""));
}

TEST(UrlFingerprintTest, EqualUrlsShareAFingerprintAndDifferentOnesDiffer) {
  const std::optional<std::string> a = normalize_url("HTTP://Example.com:80/%7Ea/./b#x");
  const std::optional<std::string> b = normalize_url("http://example.com/~a/b");
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(url_fingerprint(*a), url_fingerprint(*b));
  EXPECT_NE(url_fingerprint("http://example.com/a"), url_fingerprint("http://example.com/b"));
  EXPECT_NE(url_fingerprint("http://example.com/?"), url_fingerprint("http://example.com/"));
}

TEST(UrlFingerprintTest, IsXxh3WithTheDefaultSeed) {
  // Published XXH3_64bits value of the empty input: pins the algorithm and the seed, which is
  // what keeps fingerprints stored by one run comparable with those of the next.
  EXPECT_EQ(url_fingerprint(""), 0x2D06800538D394C2ULL);
  // Recorded from this implementation: a change here would orphan every stored fingerprint.
  EXPECT_EQ(url_fingerprint("http://example.com/"), 0xB97A010E03AF1E2BULL);
}

// normalize_url() skips curl for authorities that are already canonical. For every authority
// either path takes, the host and port must be what curl makes of them, so random authorities
// over the characters that decide the fast path are checked against curl itself.
TEST(UrlNormalizeTest, AuthoritiesMatchCurlOnTheFastPathAndOffIt) {
  const auto via_curl = [](const std::string& authority) -> std::optional<std::string> {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
    const std::string url = "http://" + authority + "/";
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
      return std::nullopt;
    }
    const auto part = [&](CURLUPart which) -> std::optional<std::string> {
      char* raw = nullptr;
      if (curl_url_get(handle.get(), which, &raw, 0) != CURLUE_OK) return std::nullopt;
      std::string value(raw);
      curl_free(raw);
      return value;
    };
    std::string host = part(CURLUPART_HOST).value_or("");
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string port = part(CURLUPART_PORT).value_or("");
    return "http://" + host + (port.empty() || port == "80" ? "" : ":" + port) + "/";
  };
  std::mt19937 random(7);
  const std::string alphabet = "ab0129x-.";
  int fast_eligible = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string authority;
    const int length = std::uniform_int_distribution<int>(1, 14)(random);
    for (int k = 0; k < length; ++k) {
      authority +=
          alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(random)];
    }
    if (i % 3 == 0)
      authority += ":" + std::to_string(std::uniform_int_distribution<int>(0, 70000)(random));
    if (i % 17 == 0) authority += ":0" + std::to_string(i % 100);
    const auto expected = via_curl(authority);
    const auto got = normalize_url("http://" + authority + "/");
    if (!expected || !got) continue;  // rejections may differ: curl is lenient where we are not
    EXPECT_EQ(*got, *expected) << authority;
    ++fast_eligible;
  }
  EXPECT_GT(fast_eligible, 5000);
  for (const std::string authority :
       {"example.com", "www.example.com:8080", "127.0.0.1", "127.0.0.1:65535", "a-b.c-d.example",
        "10.0.0.1:1", "xn--bcher-kva.example", "1.2.3", "0x7f.1", "017.0.0.1", "1.2.3.4.5",
        "256.1.1.1", "a..b", "a.b.", "example.com:65536", "example.com:080", "EXAMPLE.com"}) {
    const auto expected = via_curl(authority);
    const auto got = normalize_url("http://" + std::string(authority) + "/");
    if (expected && got) {
      EXPECT_EQ(*got, *expected) << authority;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// LinkResolver: the same answers as resolve_url restricted to http(s), through its fast path or
// not.

// What LinkResolver::resolve_http promises, written with the general functions.
std::optional<std::string> reference_resolve_http(const std::string& base, std::string_view ref) {
  std::optional<std::string> url = resolve_url(base, ref);
  if (!url) return std::nullopt;
  const std::optional<UrlParts> parts = split_url(*url);
  if (!parts || !is_http_scheme(parts->scheme)) return std::nullopt;
  return url;
}

TEST(LinkResolverTest, MatchesResolveUrlOnEveryResolutionVector) {
  CRAWLER_REQUIRE_CONFORMANCE();
  const auto vectors = testing::read_conformance_jsonl("urls/rfc3986_resolution.jsonl");
  std::size_t resolved = 0;
  for (const auto& vector : vectors) {
    const std::optional<std::string> base = normalize_url(vector.at("base").get<std::string>());
    ASSERT_TRUE(base.has_value());
    const std::string ref = vector.at("ref");
    const LinkResolver resolver(*base);
    const std::optional<std::string> expected = reference_resolve_http(*base, ref);
    EXPECT_EQ(resolver.resolve_http(ref), expected) << "base: " << *base << "\nref: " << ref;
    if (expected) ++resolved;
  }
  EXPECT_GE(resolved, 35u);  // all but "g:h" and the like
}

TEST(LinkResolverTest, ResolvesTheLinksOfAPage) {
  const LinkResolver resolver("http://example.com:8080/docs/guide/index.html?x=1");
  EXPECT_THAT(resolver.resolve_http("intro.html"),
              Optional(std::string("http://example.com:8080/docs/guide/intro.html")));
  EXPECT_THAT(resolver.resolve_http("../api/./x.html?q=1#top"),
              Optional(std::string("http://example.com:8080/docs/api/x.html?q=1")));
  EXPECT_THAT(resolver.resolve_http("/a/../b"), Optional(std::string("http://example.com:8080/b")));
  EXPECT_THAT(resolver.resolve_http("?y=2"),
              Optional(std::string("http://example.com:8080/docs/guide/index.html?y=2")));
  EXPECT_THAT(resolver.resolve_http("#frag"),
              Optional(std::string("http://example.com:8080/docs/guide/index.html?x=1")));
  EXPECT_THAT(resolver.resolve_http("  "),
              Optional(std::string("http://example.com:8080/docs/guide/index.html?x=1")));
  EXPECT_THAT(resolver.resolve_http("//other.example:80"),
              Optional(std::string("http://other.example/")));
  EXPECT_THAT(resolver.resolve_http("https://other.example:443?q"),
              Optional(std::string("https://other.example/?q")));
  EXPECT_THAT(resolver.resolve_http("HTTPS://Other.Example/%7e"),
              Optional(std::string("https://other.example/~")));
  EXPECT_THAT(resolver.resolve_http("a b"),
              Optional(std::string("http://example.com:8080/docs/guide/a%20b")));
  EXPECT_EQ(resolver.resolve_http("mailto:a@example.com"), std::nullopt);
  EXPECT_EQ(resolver.resolve_http("javascript:void(0)"), std::nullopt);
  EXPECT_EQ(resolver.resolve_http("http:g"), std::nullopt);
  EXPECT_EQ(resolver.resolve_http("http://"), std::nullopt);
  EXPECT_EQ(resolver.resolve_http("http://a:99999/"), std::nullopt);
  EXPECT_EQ(resolver.resolve_http(std::string("/a\x01")), std::nullopt);
  EXPECT_EQ(resolver.resolve_http("/" + std::string(kMaxUrlLength, 'a')), std::nullopt);
}

TEST(LinkResolverTest, BasesOffTheFastPathStillResolve) {
  for (const std::string base : {"http://user:pw@example.com/a/b", "http://[::1]:8080/a/b?c",
                                 "mailto:someone@example.com", "foo://bar/baz"}) {
    const LinkResolver resolver(base);
    for (const std::string ref : {"c", "../d?e", "//x.example/y", "http://z.example", "#f", ""}) {
      EXPECT_EQ(resolver.resolve_http(ref), reference_resolve_http(base, ref))
          << "base: " << base << "\nref: " << ref;
    }
  }
}

// Random links built from the pieces that decide resolution (schemes in both cases, authorities
// canonical or not, dot segments, percent-encoding, queries, fragments, whitespace, bytes that
// need encoding) against bases of every shape.
TEST(LinkResolverTest, MatchesResolveUrlOnGeneratedLinks) {
  const std::vector<std::string> bases = {
      "http://127.0.0.1:8080/",
      "http://127.0.0.1:8080/s3/p40.html",
      "https://example.com/a/b/c?q=1",
      "https://example.com/a/b/c/?",
      "http://a.example/x;p?q#",  // not normalised: the resolver must not take its fast path
      "http://www.example.org/%7Efoo/bar%20baz/",
      "http://user@example.com/a/",
      "http://[::1]/a/b",
      "https://sub.example.co.uk:8443/deep/er/path/file.html",
  };
  const std::vector<std::string> pieces = {
      "http://", "https://", "HTTP://",   "Https://",  "//",          "/",           "/",
      "/",       "./",       "../",       ".",         "..",          "a",           "b",
      "p7.html", "s3",       "x.y",       "?",         "?q=1",        "&",           "=",
      "#",       "#top",     "%41",       "%2e",       "%2E",         "%7e",         "%",
      "%zz",     ":",        ":80",       ":443",      ":8080",       ":0",          ":65536",
      ":",       "@",        "user@",     "127.0.0.1", "example.com", "Example.COM", "0x7f",
      "a..b",    "-a",       "[::1]",     "[",         "]",           " ",           "\t",
      "\n",      "\\",       "\xc3\xa9",  "\x01",      "\x7f",        "javascript:", "mailto:",
      "g:",      "~",        "!$'()*+,;", "{",         "|",           "\"",          "<",
      "^",       "`"};
  std::mt19937 rng(20261127);
  std::size_t resolved = 0;
  for (int i = 0; i < 60000; ++i) {
    const std::string& base = bases[rng() % bases.size()];
    std::string ref;
    const int count = 1 + static_cast<int>(rng() % 7);
    for (int j = 0; j < count; ++j) ref += pieces[rng() % pieces.size()];
    const LinkResolver resolver(base);
    const std::optional<std::string> expected = reference_resolve_http(base, ref);
    ASSERT_EQ(resolver.resolve_http(ref), expected) << "base: " << base << "\nref: " << ref;
    if (expected) ++resolved;
  }
  // Enough of the links resolve for the comparison to mean something.
  EXPECT_GT(resolved, 20000u);
}

}  // namespace
}  // namespace crawler
