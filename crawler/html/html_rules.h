// Internal to the HTML parser and the link scanner: the token and tag-set rules both read markup
// by (character classes come from crawler/util/ascii.h; HTML whitespace is is_ascii_space). They
// live here once because the scanner must find exactly the links, base and metas parse_html
// finds (tests/unit/link_scanner_test.cc compares them), and two copies of a rule could drift
// apart.
#pragma once

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "crawler/html/html_parser.h"
#include "crawler/util/ascii.h"

namespace crawler::html {

// Where a tag name ends (start and end tags alike).
inline bool is_tag_name_end(char c) { return is_ascii_space(c) || c == '/' || c == '>'; }

// True when `list`, split at ASCII whitespace and any of `extra_separators`, has a token equal
// (ignoring ASCII case) to one of `tokens`: rel="nofollow", <meta name=robots content=...>.
inline bool has_token(std::string_view list, std::initializer_list<std::string_view> tokens,
                      std::string_view extra_separators = "") {
  const auto is_separator = [&](char c) {
    return is_ascii_space(c) || extra_separators.find(c) != std::string_view::npos;
  };
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && is_separator(list[i])) ++i;
    const std::size_t start = i;
    while (i < list.size() && !is_separator(list[i])) ++i;
    const std::string_view token = list.substr(start, i - start);
    if (token.empty()) continue;
    for (const std::string_view wanted : tokens) {
      if (equals_ignore_case(token, wanted)) return true;
    }
  }
  return false;
}

// What a <link> with this rel contributes: its source, or nothing (stylesheets, icons, ...).
inline std::optional<LinkSource> link_rel_source(std::string_view rel) {
  if (has_token(rel, {"stylesheet"})) return std::nullopt;  // includes "alternate stylesheet"
  if (has_token(rel, {"alternate"})) return LinkSource::kLinkAlternate;
  if (has_token(rel, {"next"})) return LinkSource::kLinkNext;
  if (has_token(rel, {"prev", "previous"})) return LinkSource::kLinkPrev;
  return std::nullopt;
}

// Applies <meta name=robots content=...>: directives are comma-separated, and sloppy pages use
// spaces too.
inline void apply_robots_meta(std::string_view content, ParsedPage& page) {
  if (has_token(content, {"nofollow", "none"}, ",")) page.meta_nofollow = true;
  if (has_token(content, {"noindex", "none"}, ",")) page.meta_noindex = true;
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
