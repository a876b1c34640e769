// Fuzzes HTML link, title and text extraction (crawler/html/html_parser.h parse_html), with text
// extraction on and off and with small and default limits. Besides "no crash, no abort in
// Gumbo", it checks the ParsedPage contract: limits hold, hrefs are non-empty, trimmed and valid
// UTF-8, text and title are valid UTF-8 with whitespace collapsed and trimmed.
//
// Input: one options byte, then the page.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crawler/html/html_parser.h"

namespace {

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "html_fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// Collapsed text: no ASCII whitespace at either end, single separators (' ' or '\n') between
// words, and no tabs, CRs or form feeds at all.
void check_collapsed(std::string_view text, const char* what) {
  if (text.empty()) return;
  check(!is_ascii_space(text.front()) && !is_ascii_space(text.back()), what);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    check(c != '\t' && c != '\r' && c != '\f', what);
    if (is_ascii_space(c)) check(!is_ascii_space(text[i + 1]), what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view html(reinterpret_cast<const char*>(data + 1), size - 1);

  crawler::ParseOptions options;
  options.want_text = (flags & 1) != 0;
  if ((flags & 2) != 0) options.max_links = flags >> 5;  // 0..7
  if ((flags & 4) != 0) options.max_text = (flags >> 3) & 0x1F;
  if ((flags & 8) != 0) options.max_depth = 1 + (flags >> 4);

  const crawler::ParsedPage page = crawler::parse_html(html, options);

  check(page.links.size() <= options.max_links, "more links than max_links");
  check(!page.links_truncated || page.links.size() == options.max_links,
        "links_truncated before max_links");
  for (const crawler::RawLink& link : page.links) {
    check(!link.href.empty(), "empty href");
    check(!is_ascii_space(link.href.front()) && !is_ascii_space(link.href.back()),
          "href not trimmed");
    check(is_valid_utf8(link.href), "href is not valid UTF-8");
  }
  check(is_valid_utf8(page.base_href), "base href is not valid UTF-8");
  check(page.title.size() <= crawler::kMaxTitleBytes, "title longer than kMaxTitleBytes");
  check(is_valid_utf8(page.title), "title is not valid UTF-8");
  check_collapsed(page.title, "title whitespace not collapsed");
  if (options.want_text) {
    check(page.text.size() <= options.max_text, "text longer than max_text");
    check(is_valid_utf8(page.text), "text is not valid UTF-8");
    check_collapsed(page.text, "text whitespace not collapsed");
  } else {
    check(page.text.empty(), "text extracted although not wanted");
  }
  for (const char c : page.meta_charset) check(!(c >= 'A' && c <= 'Z'), "charset not lowercase");
  return 0;
}
