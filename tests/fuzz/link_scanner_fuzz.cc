// Differential fuzz target: scan_links() (the streaming scanner) against parse_html() (Gumbo,
// the reference) on arbitrary bytes. Traps on any difference the scanner's header does not
// document:
//  - links are compared after dropping repeats of an earlier (href, source, nofollow) link, as
//    Gumbo reports cloned <a> elements once per clone (known difference 1);
//  - inputs with <table> (foster parenting, difference 2) or <svg>/<math> (implicit closes
//    around them, difference 3) are compared only as link sets, title/base/meta not at all;
//  - pages parse_html() defused (markup_limited, difference 4) are skipped.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address -I. tests/fuzz/link_scanner_fuzz.cc
//   crawler/link_scanner.cc crawler/html_entities.cc crawler/html_parser.cc crawler/charset.cc
//   $(pkg-config --cflags --libs gumbo)
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "crawler/html_parser.h"
#include "crawler/link_scanner.h"

namespace {

using Key = std::tuple<std::string, int, bool>;

std::vector<Key> FirstOccurrences(const crawler::ParsedPage& page) {
  std::vector<Key> out;
  std::set<Key> seen;
  for (const crawler::RawLink& link : page.links) {
    Key key{link.href, static_cast<int>(link.source), link.nofollow};
    if (seen.insert(key).second) out.push_back(std::move(key));
  }
  return out;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                     [](char a, char b) {
                       const auto lower = [](char c) {
                         return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
                       };
                       return lower(a) == lower(b);
                     }) != haystack.end();
}

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "link_scanner_fuzz: %s differs\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  crawler::ParseOptions options;
  options.want_text = false;
  options.max_links = 50;  // small, so that truncation is exercised
  const crawler::ParsedPage expected = crawler::parse_html(html, options);
  if (expected.markup_limited) return 0;
  const crawler::ParsedPage actual = crawler::scan_links(html, options);
  const bool tree_sensitive = ContainsIgnoreCase(html, "<table") ||
                              ContainsIgnoreCase(html, "<svg") || ContainsIgnoreCase(html, "<math");
  std::vector<Key> want = FirstOccurrences(expected);
  std::vector<Key> got = FirstOccurrences(actual);
  if (tree_sensitive) {
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
  }
  if (expected.links_truncated && !tree_sensitive) {
    // Clones count against max_links too: the reference may stop earlier.
    if (got.size() < want.size() || !std::equal(want.begin(), want.end(), got.begin())) {
      Fail("links");
    }
  } else if (want != got) {
    Fail("links");
  }
  if (tree_sensitive) return 0;
  if (expected.title != actual.title) Fail("title");
  if (expected.base_href != actual.base_href) Fail("base_href");
  if (expected.meta_nofollow != actual.meta_nofollow) Fail("meta_nofollow");
  if (expected.meta_noindex != actual.meta_noindex) Fail("meta_noindex");
  if (expected.meta_charset != actual.meta_charset) Fail("meta_charset");
  if (expected.links.size() == actual.links.size() &&
      expected.links_truncated != actual.links_truncated) {  // no clones: same budget
    Fail("links_truncated");
  }
  return 0;
}
