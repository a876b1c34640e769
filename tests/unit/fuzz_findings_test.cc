// Reproducers for what the fuzz targets (tests/fuzz) found, one test per finding, so that the
// plain unit-test run guards every fix. Each names its input under tests/fuzz/regressions/,
// which `scripts/fuzz.sh --replay` runs through the fuzz target itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>

#include "crawler/config.h"
#include "crawler/html/html_parser.h"
#include "crawler/html/link_scanner.h"
#include "crawler/url/url.h"

namespace crawler {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

std::string config_error_of(const std::string& yaml, const std::filesystem::path& base = ".") {
  try {
    parse_config(yaml, "crawl.yaml", base);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// regressions/url/percent-encoded-ipv4-host: curl decoded "0%35" to "05" without reading it
// as the IPv4 address it then is, so the result normalised again to another URL.
TEST(FuzzFindings, PercentEncodedHostIsCanonicalisedAfterDecoding) {
  EXPECT_THAT(normalize_url("http://0%35/.n/"), Optional(std::string("http://0.0.0.5/.n/")));
  EXPECT_THAT(normalize_url("http://%30x7f.%31/"), Optional(std::string("http://127.0.0.1/")));
  EXPECT_THAT(normalize_url("http://u%40@ex%41mple.com:8080/"),
              Optional(std::string("http://u%40@example.com:8080/")));
  for (const char* input : {"http://0%35/.n/", "http://%30/", "https://1%2e2/"}) {
    const std::optional<std::string> once = normalize_url(input);
    ASSERT_TRUE(once.has_value()) << input;
    EXPECT_THAT(normalize_url(*once), Optional(*once)) << input;
  }
}

// regressions/url/ipv6-zone-with-at-sign: curl copies any bytes up to ']' into an IPv6 zone,
// '@' included, and splits userinfo at the first '@' where normalisation split at the last, so
// "http://@[f8::0%250%2@5:aascr]" normalised to a URL with two hosts that normalize_url rejected.
// A zone may only hold unreserved characters and escapes (RFC 6874).
TEST(FuzzFindings, IpV6ZoneHoldsOnlyUnreservedCharactersAndEscapes) {
  EXPECT_EQ(normalize_url("http://@[f8::0%250%2@5:aascr]"), std::nullopt);
  EXPECT_EQ(normalize_url("http://u@[fe80::1%25x:80]/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://[fe80::1%25a@b]/"), std::nullopt);
  EXPECT_EQ(normalize_url("http://[fe80::1%25a%2]/"), std::nullopt);
  EXPECT_THAT(normalize_url("http://[fe80::1%25eth%2D0.x_y~z]/"),
              Optional(std::string("http://[fe80::1%25eth%2D0.x_y~z]/")));
  EXPECT_THAT(normalize_url("http://u:p@[FE80::1%25Eth0]:81/"),
              Optional(std::string("http://u:p@[fe80::1%25Eth0]:81/")));
  EXPECT_EQ(normalize_url("http://a@b@example.com/"), std::nullopt);
}

// regressions/config/multi-line-yaml-error: after a NUL byte yaml-cpp reports an "unknown escape
// character" and quotes it, here a newline, so the "one-line error" came out on two lines. Keys and
// values quoted in messages can hold any character too.
TEST(FuzzFindings, ConfigErrorsStayOnOneLine) {
  const std::string yaml_error = config_error_of(std::string("a: b\0\nc: d\n", 11));
  EXPECT_THAT(yaml_error, HasSubstr("malformed YAML: unknown escape character: \\n"));
  const std::string key_error = config_error_of("\"bad\\nkey\": 1\n");
  EXPECT_THAT(key_error, HasSubstr("unknown key 'bad\\nkey'"));
  const std::string value_error = config_error_of("log:\n  level: \"x\\ty\\u0001\"\n");
  EXPECT_THAT(value_error, HasSubstr("got 'x\\ty\\x01'"));
  for (const std::string& message : {yaml_error, key_error, value_error}) {
    EXPECT_THAT(message, Not(HasSubstr("\n"))) << message;
    EXPECT_THAT(message, Not(HasSubstr("\t"))) << message;
  }
}

// Found reading the code while writing config_fuzz: a seeds_file naming a device or a FIFO was
// read until memory ran out (/dev/zero) or blocked the start (/dev/stdin, a FIFO).
TEST(FuzzFindings, SeedsFileMustBeARegularFile) {
  EXPECT_THAT(config_error_of("seeds_file: /dev/zero\n"),
              HasSubstr("seeds_file: cannot read '/dev/zero'"));
  EXPECT_THAT(config_error_of("seeds_file: /dev/stdin\n"),
              HasSubstr("seeds_file: cannot read '/dev/stdin'"));
  EXPECT_THAT(config_error_of("seeds_file: .\n"), HasSubstr("seeds_file: cannot read"));
}

// Also found reading the code: sizes overflowed 64 bits and wrapped to a small number.
TEST(FuzzFindings, SizesThatOverflowAreRejected) {
  EXPECT_EQ(parse_size("17179869183GiB"), 17179869183ull << 30);  // the largest that fits
  EXPECT_THROW(parse_size("17179869184GiB"), std::invalid_argument);
  EXPECT_THROW(parse_size("999999999999999GiB"), std::invalid_argument);
  EXPECT_THAT(config_error_of("fetch:\n  max_body: 999999999999999GiB\n"),
              HasSubstr("fetch.max_body: size '999999999999999GiB' is too large"));
}

// regressions/html/overflowing-character-reference: Gumbo turns a numeric character reference
// past INT_MAX into a negative code point and writes its low byte, so the title held a lone
// UTF-8 continuation byte. The spec (and now the parser) gives U+FFFD.
TEST(FuzzFindings, OverflowingCharacterReferencesBecomeReplacementCharacters) {
  const ParsedPage page = parse_html(
      "<title>a&#x800000BC;b</title><p>c&#xFFFFFFC3;d</p>"
      "<base href='/b&#x800000E9;/'><a href='/x&#x800000FF;y'>l</a>",
      ParseOptions{});
  EXPECT_EQ(page.title,
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(page.text,
            "c\xEF\xBF\xBD"
            "d\nl");
  EXPECT_EQ(page.base_href, "/b\xEF\xBF\xBD/");
  ASSERT_EQ(page.links.size(), 1u);
  EXPECT_EQ(page.links[0].href, "/x\xEF\xBF\xBDy");
}

// regressions/link_scanner/template-clears-frameset-ok (CI, 30 s run): every <template> start
// tag sets the tree builder's frameset-ok flag to "not ok", also in the head, before the body
// exists. The scanner reset the flag when the body opened, so a later <frameset> replaced a body
// that Gumbo keeps, and the scanner lost its links.
TEST(FuzzFindings, ATemplateBeforeTheBodyKeepsAFramesetFromReplacingIt) {
  for (const char* html : {"<template></template><a href=a><frameset>",
                           "<a href=a><template></template><frameset><frame src=no>",
                           "<select><template></template></select><a href=a><frameset>"}) {
    const ParsedPage gumbo = parse_html(html, ParseOptions{});
    const ParsedPage scanned = scan_links(html, ParseOptions{});
    ASSERT_EQ(gumbo.links.size(), 1u) << html;
    EXPECT_EQ(gumbo.links[0].href, "a") << html;
    ASSERT_EQ(scanned.links.size(), gumbo.links.size()) << html;
    EXPECT_EQ(scanned.links[0].href, gumbo.links[0].href) << html;
  }
  // Before the body, a <frameset> does not look at the flag: the template changes nothing.
  const char* frameset = "<template></template><frameset><frame src=f>";
  ASSERT_EQ(parse_html(frameset, ParseOptions{}).links.size(), 1u);
  EXPECT_EQ(scan_links(frameset, ParseOptions{}).links.size(), 1u);
}

}  // namespace
}  // namespace crawler
