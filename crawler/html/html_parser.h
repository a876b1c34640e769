// HTML parsing with Gumbo: the links a page offers, its title, robots directives, declared charset
// and visible text.
//
// Robustness is the design goal: the input is whatever a server sent. parse_html never throws,
// never crashes and never recurses per tree level, so no nesting depth exhausts the stack. Markup
// that would make Gumbo quadratic in time or memory (nesting deeper than ParseOptions::max_depth,
// runaway cloning of formatting elements, more than 256 attributes in a tag or over all <html>
// and <body> tags) is defused first, and ParsedPage::markup_limited tells the caller so. Memory
// stays proportional to the input, but the factor is Gumbo's, and large for dense markup.
// html_parser.cc describes each failure mode of the Gumbo it links and its workaround.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crawler {

enum class LinkSource { kAnchor, kArea, kLinkAlternate, kLinkNext, kLinkPrev, kIframe, kFrame };

struct RawLink {
  std::string href;  // as written (entity-decoded by the parser, whitespace trimmed), unresolved
  LinkSource source;
  bool nofollow;  // rel contains the token "nofollow" (always false for frames)
};

struct ParsedPage {
  std::string title;             // text of the first <title>, whitespace collapsed, trimmed; capped
                                 // at kMaxTitleBytes (an unclosed <title> swallows the whole page)
  std::string base_href;         // first <base href>, unresolved; empty when absent
  std::vector<RawLink> links;    // in document order, not deduplicated (the caller resolves+dedups)
  bool meta_nofollow = false;    // <meta name=robots content=...nofollow...> (also "none")
  bool meta_noindex = false;     // ...noindex... (also "none"); name match case-insensitive
  std::string meta_charset;      // from <meta charset> or <meta http-equiv=content-type
                                 // content="...charset=x">, lowercased; the first one wins
  std::string text;              // visible text, only when requested
  bool links_truncated = false;  // more than max_links links were found
  bool markup_limited = false;   // pathological markup was dropped or cut (see above)
};

struct ParseOptions {
  bool want_text = true;
  std::size_t max_links = 10000;
  std::size_t max_text = 1 << 20;  // bytes; the text is cut on a UTF-8 character boundary
  // Deepest element nesting kept. Browsers use similar limits (Blink: 512) for the same reason.
  std::size_t max_depth = 512;
};

inline constexpr std::size_t kMaxTitleBytes = 2048;

// Parses UTF-8 HTML with Gumbo (invalid UTF-8 becomes U+FFFD). Never throws on malformed input;
// never crashes.
//
// Links: <a href>, <area href>, <link href> whose rel has the token alternate, next or prev (but
// not stylesheet: "alternate stylesheet" is CSS), <iframe src>, <frame src>; not inside <svg>,
// <math> or <template> (inert content). Empty hrefs are dropped: they name the page itself.
// Text: text nodes outside <head>, <script>, <style>, <noscript>, <template>, <title>, <iframe>,
// <noembed> and <noframes>; whitespace runs collapse to one space and block elements are
// separated by a newline (table cells by a space).
ParsedPage parse_html(std::string_view utf8_html, const ParseOptions& options);

// What Gumbo's tree construction did to a page that a streaming tokenizer cannot see. The link
// scanner's differential checks (docs/link_scanner.md) make room for a known difference only on
// the pages where its construct is in the tree parse_html() walked.
struct TreeFacts {
  bool cloned_anchor = false;          // an <a> copied by the adoption agency or reconstruction (1)
  bool foster_parented = false;        // a node moved out of a table (2)
  bool foreign_root = false;           // an <svg> or <math> element, renamed x-svg/x-math (3)
  bool nul_in_attribute_name = false;  // an element attribute's name holds or follows a NUL (5)
};

// parse_html() that also reports the TreeFacts of the page into `facts`.
ParsedPage parse_html(std::string_view utf8_html, const ParseOptions& options, TreeFacts& facts);

}  // namespace crawler
