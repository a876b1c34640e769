// Internal to the HTML parser and the link scanner: the character, token and tag-set rules both
// read markup by. They live here once because the scanner must find exactly the links, base and
// metas parse_html finds (tests/unit/link_scanner_test.cc compares them), and two copies of a
// rule could drift apart.
#pragma once

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "crawler/html/html_parser.h"

namespace crawler::html {

// HTML's ASCII whitespace (CR included: the input stream turns it into LF).
inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Where a tag name ends (start and end tags alike).
inline bool IsTagNameEnd(char c) { return IsSpace(c) || c == '/' || c == '>'; }
inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return AsciiLower(x) == AsciiLower(y);
         });
}

inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// True when `list`, split at ASCII whitespace and any of `extra_separators`, has a token equal
// (ignoring ASCII case) to one of `tokens`: rel="nofollow", <meta name=robots content=...>.
inline bool HasToken(std::string_view list, std::initializer_list<std::string_view> tokens,
                     std::string_view extra_separators = "") {
  const auto is_separator = [&](char c) {
    return IsSpace(c) || extra_separators.find(c) != std::string_view::npos;
  };
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_separator(list[i])) ++i;
    const std::size_t start = i;
    while (i < list.size() && !is_separator(list[i])) ++i;
    const std::string_view token = list.substr(start, i - start);
    if (token.empty()) continue;
    for (const std::string_view wanted : tokens) {
      if (EqualsIgnoreCase(token, wanted)) return true;
    }
  }
  return false;
}

// What a <link> with this rel contributes: its source, or nothing (stylesheets, icons, ...).
inline std::optional<LinkSource> LinkRelSource(std::string_view rel) {
  if (HasToken(rel, {"stylesheet"})) return std::nullopt;  // includes "alternate stylesheet"
  if (HasToken(rel, {"alternate"})) return LinkSource::kLinkAlternate;
  if (HasToken(rel, {"next"})) return LinkSource::kLinkNext;
  if (HasToken(rel, {"prev", "previous"})) return LinkSource::kLinkPrev;
  return std::nullopt;
}

// Applies <meta name=robots content=...>: directives are comma-separated, and sloppy pages use
// spaces too.
inline void ApplyRobotsMeta(std::string_view content, ParsedPage& page) {
  if (HasToken(content, {"nofollow", "none"}, ",")) page.meta_nofollow = true;
  if (HasToken(content, {"noindex", "none"}, ",")) page.meta_noindex = true;
}

// A set of tags with constant-time lookup: the sets are consulted for every tag.
class TagSet {
 public:
  constexpr TagSet(std::initializer_list<GumboTag> tags) {
    for (const GumboTag tag : tags) bits_[tag] = true;
  }
  constexpr bool contains(GumboTag tag) const { return bits_[tag]; }

 private:
  std::array<bool, GUMBO_TAG_LAST + 1> bits_{};
};

// Elements that never have children.
inline constexpr TagSet kVoidTags = {
    GUMBO_TAG_AREA,    GUMBO_TAG_BASE,   GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_BR,
    GUMBO_TAG_COL,     GUMBO_TAG_EMBED,  GUMBO_TAG_FRAME,    GUMBO_TAG_HR,      GUMBO_TAG_IMAGE,
    GUMBO_TAG_IMG,     GUMBO_TAG_INPUT,  GUMBO_TAG_KEYGEN,   GUMBO_TAG_LINK,    GUMBO_TAG_META,
    GUMBO_TAG_PARAM,   GUMBO_TAG_SOURCE, GUMBO_TAG_TRACK,    GUMBO_TAG_WBR,     GUMBO_TAG_ISINDEX,
    GUMBO_TAG_MENUITEM};

}  // namespace crawler::html
