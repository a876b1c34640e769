// HTML parsing with Gumbo: the links a page offers, its title, robots directives, declared charset
// and visible text.
//
// Robustness is the design goal: the input is whatever a server sent. parse_html never throws,
// never recurses per tree level (50 MB of nested <div>s must not exhaust the stack), and works
// around the failure modes of the Gumbo it links (0.10.1, Debian 12) with a cheap pre-scan:
//  - Gumbo fails an assertion, aborting the whole process, on some SVG/MathML content
//    (<table><svg><select><title><select><table>). <svg> and <math> tags are renamed to unknown
//    HTML elements, so Gumbo never parses foreign content; their subtrees still yield text but
//    no title or links, as before.
//  - Gumbo spends time linear in the depth of its open-element stack on most start tags, so deep
//    nesting is quadratic (200,000 nested <div>s take minutes). Start tags that would nest deeper
//    than ParseOptions::max_depth are dropped; their content stays.
//  - Reopening implicitly closed formatting elements (<p><b id=1>x</p><p><b id=2>x</p>...)
//    clones every earlier one into every later block: 40 KB of such markup takes Gumbo 750 MB.
//    Past an estimated 32 MiB + 16 bytes per input byte of clones, the page is cut.
//  - Gumbo compares each attribute name with every earlier one in its tag, and merges the
//    attributes of every <html> and <body> into the first: quadratic too (one tag with 40,000
//    attributes took 3.6 s). Attributes past 256 in a tag, or past 256 over all <html> and
//    <body> start tags, are dropped.
//  - A numeric character reference that overflows Gumbo's int ("&#x800000BC;") comes out as its
//    low byte, which is not UTF-8: text, title and hrefs are repaired to U+FFFD afterwards.
//  - gumbo_destroy_output recurses per tree level, so the tree is never freed through it: Gumbo
//    allocates from an arena that is freed in one flat walk.
// ParsedPage::markup_limited tells the caller when nesting, cloning or attributes were defused.
// Memory stays proportional to the input, but the factor is Gumbo's: some 70 bytes per byte of
// dense markup.
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

}  // namespace crawler
