// Differential fuzz target: scan_links() (the streaming scanner) against parse_html() (Gumbo,
// the reference) on arbitrary bytes. Traps on any difference docs/link_scanner.md does not
// list as a known difference. Each known difference is made room for only on inputs whose
// Gumbo tree holds its construct (TreeFacts), never because some bytes appear somewhere:
//  - 1, a cloned <a> in the tree: links are compared after dropping repeats of an earlier
//    (href, source, nofollow) link; without one, repeats are compared too;
//  - 2, a foster-parented node: links are compared as sets, title/base/meta not at all;
//  - 3, an <svg>/<math> element: links, title/base/meta are not compared (a clone of an <a>
//    opened inside one can land outside it);
//  - 4, a numeric reference that overflows Gumbo's int; 5, an element attribute whose name
//    holds a NUL byte; 6, a page parse_html() defused (it parsed other markup than the
//    scanner reads): skipped.
// Build: clang++ -std=c++20 -fsanitize=fuzzer,address -I. tests/fuzz/link_scanner_fuzz.cc
//   crawler/html/link_scanner.cc crawler/html/html_entities.cc crawler/html/html_parser.cc
//   crawler/html/charset.cc
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

#include "crawler/html/html_parser.h"
#include "crawler/html/link_scanner.h"

namespace {

using Key = std::tuple<std::string, int, bool>;

// The page's links; with `first_only`, without repeats of an earlier (href, source, nofollow).
std::vector<Key> keys(const crawler::ParsedPage& page, bool first_only) {
  std::vector<Key> out;
  std::set<Key> seen;
  for (const crawler::RawLink& link : page.links) {
    Key key{link.href, static_cast<int>(link.source), link.nofollow};
    if (!first_only || seen.insert(key).second) out.push_back(std::move(key));
  }
  return out;
}

// Whether a numeric character reference's value wraps to a negative 32-bit int, where Gumbo
// emits garbage (known difference 4).
bool has_overflowing_reference(std::string_view html) {
  for (std::size_t i = html.find("&#"); i != std::string_view::npos; i = html.find("&#", i + 1)) {
    std::size_t j = i + 2;
    const bool hex = j < html.size() && (html[j] == 'x' || html[j] == 'X');
    if (hex) ++j;
    std::uint32_t value = 0;
    for (; j < html.size(); ++j) {
      const char c = html[j];
      const char lower = static_cast<char>(c | 0x20);
      std::uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (hex && lower >= 'a' && lower <= 'f') {
        digit = static_cast<std::uint32_t>(lower - 'a' + 10);
      } else {
        break;
      }
      value = value * (hex ? 16U : 10U) + digit;
    }
    if (value >= 0x80000000U) return true;
  }
  return false;
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "link_scanner_fuzz: %s differs\n", what);
  __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view html(reinterpret_cast<const char*>(data), size);
  crawler::ParseOptions options;
  options.want_text = false;
  options.max_links = 50;  // small, so that truncation is exercised
  crawler::TreeFacts facts;
  const crawler::ParsedPage expected = crawler::parse_html(html, options, facts);
  if (expected.markup_limited || has_overflowing_reference(html) || facts.nul_in_attribute_name) {
    return 0;
  }
  const crawler::ParsedPage actual = crawler::scan_links(html, options);
  std::vector<Key> want = keys(expected, facts.cloned_anchor);
  std::vector<Key> got = keys(actual, facts.cloned_anchor);
  if (facts.foster_parented) {
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
  }
  if (facts.foreign_root) {
    // Not compared.
  } else if (expected.links_truncated && facts.foster_parented) {
    // Which links fill the budget depends on the order: only the count is the same.
    if (!facts.cloned_anchor && want.size() != got.size()) fail("links");
  } else if (expected.links_truncated && facts.cloned_anchor) {
    // Clones count against max_links too: the reference may stop earlier.
    if (got.size() < want.size() || !std::equal(want.begin(), want.end(), got.begin())) {
      fail("links");
    }
  } else if (want != got) {
    fail("links");
  }
  if (facts.foreign_root || facts.foster_parented) return 0;
  if (expected.title != actual.title) fail("title");
  if (expected.base_href != actual.base_href) fail("base_href");
  if (expected.meta_nofollow != actual.meta_nofollow) fail("meta_nofollow");
  if (expected.meta_noindex != actual.meta_noindex) fail("meta_noindex");
  if (expected.meta_charset != actual.meta_charset) fail("meta_charset");
  if (!facts.cloned_anchor && expected.links_truncated != actual.links_truncated) {
    fail("links_truncated");  // no clones: the same budget
  }
  return 0;
}
