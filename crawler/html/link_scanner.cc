#include "crawler/html/link_scanner.h"

#include <gumbo.h>  // gumbo_tagn_enum only: a perfect hash of the HTML tag names, no parsing

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "crawler/html/charset.h"
#include "crawler/html/html_entities.h"
#include "crawler/html/html_rules.h"
#include "crawler/util/ascii.h"

namespace crawler {
namespace {

constexpr std::size_t kNpos = std::string_view::npos;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

using html::has_token;
using html::is_tag_name_end;
using html::kVoidTags;
using html::TagSet;

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// ---------------------------------------------------------------------------------------------
// The input stream: what the tokenizer reads where parse_html's input has raw bytes.

// True when parse_html's pre-scan (rename_foreign_roots) inserts "x-" at `name_start`: the name
// there is svg or math, followed by a tag-name end. Like the pre-scan, this ignores context.
bool is_renamed_root(std::string_view doc, std::size_t name_start) {
  // Asked at every tag: most names rule both out by their first letter.
  if (name_start >= doc.size()) return false;
  const char first = ascii_lower(doc[name_start]);
  if (first != 's' && first != 'm') return false;
  for (const std::string_view root : {std::string_view("svg"), std::string_view("math")}) {
    const std::size_t after = name_start + root.size();
    if (after < doc.size() && equals_ignore_case(doc.substr(name_start, root.size()), root) &&
        is_tag_name_end(doc[after])) {
      return true;
    }
  }
  return false;
}

// Appends doc[begin, end) the way Gumbo's input stream presents it: <svg>/<math> renamed, CR and
// CRLF as LF, and U+FFFD for invalid UTF-8 (per maximal subpart, as the WHATWG decoder does), NUL,
// and the control characters and noncharacters Gumbo replaces. doc[end] is only looked at to
// decide a rename.
void append_input_text(std::string_view doc, std::size_t begin, std::size_t end, std::string& out) {
  std::size_t i = begin;
  while (i < end) {
    const auto c = static_cast<unsigned char>(doc[i]);
    if (c >= 0x20 && c < 0x7F && c != '<') {  // the common case, appended a run at a time
      std::size_t run_end = i + 1;
      while (run_end < end) {
        const auto next = static_cast<unsigned char>(doc[run_end]);
        if (next < 0x20 || next >= 0x7F || next == '<') break;
        ++run_end;
      }
      out.append(doc.substr(i, run_end - i));
      i = run_end;
      continue;
    }
    if (c == '<') {
      out.push_back('<');
      std::size_t name_start = i + 1;
      if (name_start < doc.size() && doc[name_start] == '/') ++name_start;
      if (name_start < end && is_renamed_root(doc, name_start)) {
        if (name_start > i + 1) out.push_back('/');
        out.append("x-");
        i = name_start;
      } else {
        ++i;
      }
      continue;
    }
    if (c < 0x80) {
      if (c == '\r') {
        out.push_back('\n');
        i += (i + 1 < end && doc[i + 1] == '\n') ? 2 : 1;
      } else if (c == '\t' || c == '\n' || c == '\f') {
        out.push_back(static_cast<char>(c));
        ++i;
      } else {
        out.append(kReplacement);  // NUL, other C0 controls, DEL
        ++i;
      }
      continue;
    }
    // A multi-byte sequence: the WHATWG UTF-8 decoder's bounds on the second byte.
    std::size_t needed = 0;
    std::uint32_t cp = 0;
    unsigned char lower = 0x80;
    unsigned char upper = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      needed = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      needed = 2;
      cp = c & 0x0F;
      if (c == 0xE0) lower = 0xA0;
      if (c == 0xED) upper = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      needed = 3;
      cp = c & 0x07;
      if (c == 0xF0) lower = 0x90;
      if (c == 0xF4) upper = 0x8F;
    } else {
      out.append(kReplacement);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool valid = true;
    for (std::size_t k = 0; k < needed; ++k, ++j) {
      const auto b = j < end ? static_cast<unsigned char>(doc[j]) : 0;
      if (j >= end || b < lower || b > upper) {
        valid = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3F);
      lower = 0x80;
      upper = 0xBF;
    }
    if (!valid) {
      out.append(kReplacement);  // the bytes read so far; the offending one starts anew
      i = j;
      continue;
    }
    const bool replaced =
        (cp >= 0x80 && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    if (replaced) {
      out.append(kReplacement);
    } else {
      out.append(doc.substr(i, j - i));
    }
    i = j;
  }
}

// ---------------------------------------------------------------------------------------------
// Character references.

// Windows-1252 meanings of numeric references to C1 controls (WHATWG "numeric character
// reference end state" table); 0 where the code point stays as it is.
constexpr std::array<std::uint16_t, 32> kC1Replacements = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// Decodes the numeric reference whose digits start at text[pos] (after "&#" or "&#x"). Returns
// the position after it, or kNpos when there are no digits (then it is no reference).
std::size_t decode_numeric_reference(std::string_view text, std::size_t pos, bool hex,
                                     std::string& out) {
  std::uint32_t cp = 0;
  const std::size_t start = pos;
  while (pos < text.size() && (hex ? is_ascii_hex_digit(text[pos]) : is_ascii_digit(text[pos]))) {
    const char d = ascii_lower(text[pos]);
    const std::uint32_t digit = is_ascii_digit(d) ? static_cast<std::uint32_t>(d - '0')
                                                  : static_cast<std::uint32_t>(d - 'a' + 10);
    // Gumbo accumulates in a 32-bit int that wraps: "&#4294967361;" is "A" to it as well.
    cp = cp * (hex ? 16U : 10U) + digit;
    ++pos;
  }
  if (pos == start) return kNpos;
  if (pos < text.size() && text[pos] == ';') ++pos;
  if (cp >= 0x80 && cp <= 0x9F && kC1Replacements[cp - 0x80] != 0) {
    cp = kC1Replacements[cp - 0x80];
  } else if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    // (Values that wrap to a negative int are Gumbo garbage: known difference 4.)
    cp = 0xFFFD;
  }
  append_code_point(out, cp);
  return pos;
}

// Appends `text` (already as the input stream presents it) with character references decoded.
// In attribute values a legacy name without ';' followed by '=' or an alphanumeric stays as
// written ("?a=1&copy=2" keeps its "&copy").
void decode_references(std::string_view text, bool in_attribute, std::string& out) {
  std::size_t i = 0;
  while (true) {
    const std::size_t amp = text.find('&', i);
    out.append(text.substr(i, amp == kNpos ? kNpos : amp - i));
    if (amp == kNpos) return;
    i = amp + 1;
    if (i < text.size() && text[i] == '#') {
      const bool hex = i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X');
      const std::size_t after = decode_numeric_reference(text, i + (hex ? 2 : 1), hex, out);
      if (after == kNpos) {
        out.push_back('&');  // "&#" or "&#x" without digits: all of it stays
      } else {
        i = after;
      }
      continue;
    }
    const NamedReference ref = match_named_reference(text.substr(i));
    const std::size_t after = i + ref.length;
    const bool kept =
        ref.length == 0 || (in_attribute && text[after - 1] != ';' && after < text.size() &&
                            (text[after] == '=' || is_ascii_alnum(text[after])));
    if (kept) {
      out.push_back('&');
    } else {
      out.append(ref.value);
      i = after;
    }
  }
}

// Whether character data (data state, references not yet decoded) holds a character other than
// whitespace; NUL counts separately as the tree builder treats it apart.
struct TextContent {
  bool any = false;      // anything but whitespace
  bool non_nul = false;  // anything but whitespace and NUL
};

TextContent classify_text(std::string_view raw) {
  TextContent content;
  const auto classify = [&](std::string_view s) {
    for (const char c : s) {
      if (is_ascii_space(c)) continue;
      content.any = true;
      if (c != '\0') content.non_nul = true;
    }
  };
  if (raw.find('&') == kNpos) {
    classify(raw);
  } else {
    std::string decoded;  // "&#32;" is whitespace
    decode_references(raw, false, decoded);
    classify(decoded);
  }
  return content;
}

// Collapses whitespace runs to one space, trims, and caps at a byte count without splitting a
// UTF-8 character: ParsedPage::title's rules (parse_html's TextSink).
std::string collapse_whitespace(std::string_view text, std::size_t cap) {
  std::string out;
  bool pending_space = false;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_ascii_space(text[i])) {
      pending_space = true;
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && !is_ascii_space(text[i])) ++i;
    std::string_view word = text.substr(start, i - start);
    const std::size_t separator = (pending_space && !out.empty()) ? 1 : 0;
    pending_space = false;
    if (out.size() + separator + word.size() > cap) {
      std::size_t fits = cap - std::min(cap, out.size() + separator);
      while (fits > 0 && (static_cast<unsigned char>(word[fits]) & 0xC0) == 0x80) --fits;
      if (fits > 0) {
        if (separator != 0) out.push_back(' ');
        out.append(word.substr(0, fits));
      }
      break;
    }
    if (separator != 0) out.push_back(' ');
    out.append(word);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tag classes.

// Elements whose content is raw text or RCDATA: their end tag is consumed with their content.
constexpr TagSet kRawTextTags = {GUMBO_TAG_SCRIPT,  GUMBO_TAG_STYLE,    GUMBO_TAG_TEXTAREA,
                                 GUMBO_TAG_TITLE,   GUMBO_TAG_XMP,      GUMBO_TAG_IFRAME,
                                 GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES, GUMBO_TAG_PLAINTEXT};

// Start tags "in head" handles; in the head they do not open the body.
constexpr TagSet kHeadTags = {GUMBO_TAG_HTML,     GUMBO_TAG_HEAD,    GUMBO_TAG_BASE,
                              GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND, GUMBO_TAG_LINK,
                              GUMBO_TAG_META,     GUMBO_TAG_TITLE,   GUMBO_TAG_NOFRAMES,
                              GUMBO_TAG_STYLE,    GUMBO_TAG_SCRIPT,  GUMBO_TAG_TEMPLATE};

// Start tags that set the frameset-ok flag to "not ok" in the body (<input> unless hidden).
constexpr TagSet kFramesetNotOk = {
    GUMBO_TAG_PRE,    GUMBO_TAG_LISTING, GUMBO_TAG_LI,      GUMBO_TAG_DD,       GUMBO_TAG_DT,
    GUMBO_TAG_BUTTON, GUMBO_TAG_APPLET,  GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,   GUMBO_TAG_TABLE,
    GUMBO_TAG_AREA,   GUMBO_TAG_BR,      GUMBO_TAG_EMBED,   GUMBO_TAG_IMG,      GUMBO_TAG_IMAGE,
    GUMBO_TAG_KEYGEN, GUMBO_TAG_WBR,     GUMBO_TAG_HR,      GUMBO_TAG_TEXTAREA, GUMBO_TAG_XMP,
    GUMBO_TAG_IFRAME, GUMBO_TAG_SELECT,  GUMBO_TAG_BODY,    GUMBO_TAG_ISINDEX};

// Table parts that close a <select> opened in a table.
constexpr TagSet kTableParts = {GUMBO_TAG_CAPTION, GUMBO_TAG_TABLE, GUMBO_TAG_TBODY,
                                GUMBO_TAG_TFOOT,   GUMBO_TAG_THEAD, GUMBO_TAG_TR,
                                GUMBO_TAG_TD,      GUMBO_TAG_TH};

// Start tags that close an open <p> (in button scope).
constexpr TagSet kClosesP = {
    GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE,   GUMBO_TAG_ASIDE,      GUMBO_TAG_BLOCKQUOTE,
    GUMBO_TAG_CENTER,  GUMBO_TAG_DETAILS,   GUMBO_TAG_DIR,        GUMBO_TAG_DIV,
    GUMBO_TAG_DL,      GUMBO_TAG_FIELDSET,  GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,
    GUMBO_TAG_FOOTER,  GUMBO_TAG_HEADER,    GUMBO_TAG_HGROUP,     GUMBO_TAG_MAIN,
    GUMBO_TAG_MENU,    GUMBO_TAG_NAV,       GUMBO_TAG_OL,         GUMBO_TAG_P,
    GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,   GUMBO_TAG_UL,         GUMBO_TAG_H1,
    GUMBO_TAG_H2,      GUMBO_TAG_H3,        GUMBO_TAG_H4,         GUMBO_TAG_H5,
    GUMBO_TAG_H6,      GUMBO_TAG_PRE,       GUMBO_TAG_LISTING,    GUMBO_TAG_FORM,
    GUMBO_TAG_TABLE,   GUMBO_TAG_LI,        GUMBO_TAG_DD,         GUMBO_TAG_DT,
    GUMBO_TAG_XMP,     GUMBO_TAG_PLAINTEXT, GUMBO_TAG_HR};

// The HTML "special" category.
constexpr TagSet kSpecialTags = {
    GUMBO_TAG_ADDRESS,    GUMBO_TAG_APPLET,   GUMBO_TAG_AREA,     GUMBO_TAG_ARTICLE,
    GUMBO_TAG_ASIDE,      GUMBO_TAG_BASE,     GUMBO_TAG_BASEFONT, GUMBO_TAG_BGSOUND,
    GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BODY,     GUMBO_TAG_BR,       GUMBO_TAG_BUTTON,
    GUMBO_TAG_CAPTION,    GUMBO_TAG_CENTER,   GUMBO_TAG_COL,      GUMBO_TAG_COLGROUP,
    GUMBO_TAG_DD,         GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,      GUMBO_TAG_DIV,
    GUMBO_TAG_DL,         GUMBO_TAG_DT,       GUMBO_TAG_EMBED,    GUMBO_TAG_FIELDSET,
    GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,   GUMBO_TAG_FOOTER,   GUMBO_TAG_FORM,
    GUMBO_TAG_FRAME,      GUMBO_TAG_FRAMESET, GUMBO_TAG_H1,       GUMBO_TAG_H2,
    GUMBO_TAG_H3,         GUMBO_TAG_H4,       GUMBO_TAG_H5,       GUMBO_TAG_H6,
    GUMBO_TAG_HEAD,       GUMBO_TAG_HEADER,   GUMBO_TAG_HGROUP,   GUMBO_TAG_HR,
    GUMBO_TAG_HTML,       GUMBO_TAG_IFRAME,   GUMBO_TAG_IMG,      GUMBO_TAG_INPUT,
    GUMBO_TAG_ISINDEX,    GUMBO_TAG_LI,       GUMBO_TAG_LINK,     GUMBO_TAG_LISTING,
    GUMBO_TAG_MAIN,       GUMBO_TAG_MARQUEE,  GUMBO_TAG_MENU,     GUMBO_TAG_META,
    GUMBO_TAG_NAV,        GUMBO_TAG_NOEMBED,  GUMBO_TAG_NOFRAMES, GUMBO_TAG_NOSCRIPT,
    GUMBO_TAG_OBJECT,     GUMBO_TAG_OL,       GUMBO_TAG_P,        GUMBO_TAG_PARAM,
    GUMBO_TAG_PLAINTEXT,  GUMBO_TAG_PRE,      GUMBO_TAG_SCRIPT,   GUMBO_TAG_SECTION,
    GUMBO_TAG_SELECT,     GUMBO_TAG_SOURCE,   GUMBO_TAG_STYLE,    GUMBO_TAG_SUMMARY,
    GUMBO_TAG_TABLE,      GUMBO_TAG_TBODY,    GUMBO_TAG_TD,       GUMBO_TAG_TEMPLATE,
    GUMBO_TAG_TEXTAREA,   GUMBO_TAG_TFOOT,    GUMBO_TAG_TH,       GUMBO_TAG_THEAD,
    GUMBO_TAG_TITLE,      GUMBO_TAG_TR,       GUMBO_TAG_TRACK,    GUMBO_TAG_UL,
    GUMBO_TAG_WBR,        GUMBO_TAG_XMP};

// Where "has an element in scope" stops (button scope adds <button>).
constexpr TagSet kScopeBoundaries = {GUMBO_TAG_APPLET,  GUMBO_TAG_CAPTION, GUMBO_TAG_HTML,
                                     GUMBO_TAG_TABLE,   GUMBO_TAG_TD,      GUMBO_TAG_TH,
                                     GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,  GUMBO_TAG_TEMPLATE};

// ---------------------------------------------------------------------------------------------
// The scanner.

// An attribute value as written: a span of the input, not yet decoded.
struct RawValue {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool present = false;
};

// The attributes the scanner reads; the first of each name wins, as in the tokenizer.
struct Attributes {
  RawValue href, src, rel, name, content, charset, http_equiv, type;

  RawValue* slot(std::string_view lowercase_candidate) {
    switch (lowercase_candidate.size()) {
      case 3:
        if (lowercase_candidate == "src") return &src;
        if (lowercase_candidate == "rel") return &rel;
        break;
      case 4:
        if (lowercase_candidate == "href") return &href;
        if (lowercase_candidate == "name") return &name;
        if (lowercase_candidate == "type") return &type;
        break;
      case 7:
        if (lowercase_candidate == "content") return &content;
        if (lowercase_candidate == "charset") return &charset;
        break;
      case 10:
        if (lowercase_candidate == "http-equiv") return &http_equiv;
        break;
      default:
        break;
    }
    return nullptr;
  }
};

// Tags whose attributes are read; for all others only the end of the tag is found.
constexpr TagSet kTagsWithAttributes = {GUMBO_TAG_A,      GUMBO_TAG_AREA,  GUMBO_TAG_LINK,
                                        GUMBO_TAG_IFRAME, GUMBO_TAG_FRAME, GUMBO_TAG_BASE,
                                        GUMBO_TAG_META,   GUMBO_TAG_INPUT};

// Where the tree builder is, as far as links go.
enum class Phase {
  kBeforeBody,     // "initial" to "after head": head elements count, anything else opens the body
  kBody,           // the body (and "after body", which returns to it)
  kFrameset,       // "in frameset": only <frame>, <frameset> and <noframes> count
  kAfterFrameset,  // "after frameset" and "after after frameset": only <noframes>
};

// The part of a page the body can lose to a <frameset> that replaces it.
struct Snapshot {
  std::size_t links = 0;
  bool links_truncated = false;
  std::string title;
  bool seen_title = false;
  std::string base_href;
  bool seen_base = false;
  bool meta_nofollow = false;
  bool meta_noindex = false;
  std::string meta_charset;
};

// Tree-builder state a <template> hides and restores.
struct TemplateFrame {
  bool in_select;
  bool select_in_table;
  std::size_t table_depth;
};

// A tag on the model stack of an svg/math subtree; kForeignRoot marks <svg> and <math>.
struct SvgElement {
  GumboTag tag;
  char root;  // 's' for <svg>, 'm' for <math>, 0 otherwise
};

class Scanner {
 public:
  Scanner(std::string_view html, const ParseOptions& options, ParsedPage& page)
      : in_(html), options_(options), page_(page) {}

  void run() {
    std::size_t pos = 0;
    const std::size_t n = in_.size();
    while (pos < n) {
      const void* found = std::memchr(in_.data() + pos, '<', n - pos);
      const std::size_t lt =
          found == nullptr ? n
                           : static_cast<std::size_t>(static_cast<const char*>(found) - in_.data());
      if (lt > pos) handle_text(pos, lt);
      if (lt >= n - 1) return;  // a '<' at the very end is text
      pos = lt;
      const char next = in_[lt + 1];
      if (is_ascii_alpha(next)) {
        pos = start_tag(lt + 1);
      } else if (next == '/') {
        if (lt + 2 >= n) return;  // "</" at the end is text
        const char after = in_[lt + 2];
        if (is_ascii_alpha(after)) {
          pos = end_tag(lt + 2);
        } else if (after == '>') {
          pos = lt + 3;  // "</>" is dropped
          after_empty_end_tag_ = pos;
        } else {
          pos = skip_bogus_comment(lt + 2);
        }
      } else if (next == '!') {
        pos = markup_declaration(lt + 2);
      } else if (next == '?') {
        pos = skip_bogus_comment(lt + 1);
      } else {
        // A '<' that starts nothing is text.
        handle_text(lt, lt + 1);
        pos = lt + 1;
      }
    }
  }

 private:
  // ----- Tokenizer -----

  // Position after the next '>' at or after `pos`: the end of a bogus comment or doctype.
  std::size_t skip_bogus_comment(std::size_t pos) const {
    const std::size_t gt = in_.find('>', pos);
    return gt == kNpos ? in_.size() : gt + 1;
  }

  // After "<!": a comment, a doctype or a bogus comment. (CDATA sections exist only in foreign
  // content, which parse_html never enters: "<![CDATA[" starts a bogus comment.)
  std::size_t markup_declaration(std::size_t pos) const {
    if (in_.substr(pos, 2) == "--") return skip_comment(pos + 2);
    return skip_bogus_comment(pos);
  }

  // Position after the comment whose content starts at `pos` (after "<!--"), or the end of the
  // input: the tokenizer's comment states. "<!-->" and "<!--->" are whole comments; "--" followed
  // by any further dashes and '>' ends one, and so does "--!>".
  std::size_t skip_comment(std::size_t pos) const {
    enum class State { kStart, kStartDash, kComment, kEndDash, kEnd, kEndBang };
    const std::size_t n = in_.size();
    State state = State::kStart;
    while (pos < n) {
      if (state == State::kComment) {
        const void* dash = std::memchr(in_.data() + pos, '-', n - pos);
        if (dash == nullptr) return n;
        pos = static_cast<std::size_t>(static_cast<const char*>(dash) - in_.data()) + 1;
        state = State::kEndDash;
        continue;
      }
      const char c = in_[pos++];
      switch (state) {
        case State::kStart:
        case State::kStartDash:
          if (c == '>') return pos;
          state = c == '-' ? (state == State::kStart ? State::kStartDash : State::kEnd)
                           : State::kComment;
          break;
        case State::kEndDash:
          state = c == '-' ? State::kEnd : State::kComment;
          break;
        case State::kEnd:
          if (c == '>') return pos;
          if (c == '!') state = State::kEndBang;
          if (c != '-' && c != '!') state = State::kComment;
          break;
        case State::kEndBang:
          if (c == '>') return pos;
          state = c == '-' ? State::kEndDash : State::kComment;
          break;
        case State::kComment:
          break;
      }
    }
    return n;
  }

  // Parses a tag's attributes from `pos` (just after the tag name) to its '>'. Returns the
  // position after the '>', or kNpos when the input ends first (the tag is then dropped, as
  // the tokenizer drops it). Records the attributes `attributes` asks for, when not null.
  std::size_t parse_attributes(std::size_t pos, Attributes* attributes) {
    const std::size_t n = in_.size();
    names_.clear();
    hashed_names_ = false;
    // Gumbo 0.10.1 (as parse_html configures it) drops a repeated attribute without clearing
    // its name buffer: when the repeat has no value, the next attribute's name is appended to
    // it (<a h ref=1 h ref=2> has href "2"). `joining` holds that buffer, lowercased.
    std::optional<std::string> joining;
    while (true) {
      // Before attribute name (also after a '/' that is not "/>").
      while (pos < n && (is_ascii_space(in_[pos]) || in_[pos] == '/')) {
        if (in_[pos] == '/' && pos + 1 < n && in_[pos + 1] == '>') return pos + 2;
        ++pos;
      }
      if (pos >= n) return kNpos;
      if (in_[pos] == '>') return pos + 1;
      // Attribute name: the first character may be anything (even '=' or a quote).
      const std::size_t name_start = pos++;
      while (pos < n && !is_ascii_space(in_[pos]) && in_[pos] != '/' && in_[pos] != '>' &&
             in_[pos] != '=') {
        ++pos;
      }
      const std::size_t name_end = pos;
      // After attribute name.
      while (pos < n && is_ascii_space(in_[pos])) ++pos;
      if (pos >= n) return kNpos;
      RawValue value;
      value.present = true;
      const bool has_value = in_[pos] == '=';
      if (has_value) {
        ++pos;
        while (pos < n && is_ascii_space(in_[pos])) ++pos;  // before attribute value
        if (pos >= n) return kNpos;
        const char c = in_[pos];
        if (c == '"' || c == '\'') {
          const void* close = std::memchr(in_.data() + pos + 1, c, n - pos - 1);
          if (close == nullptr) return kNpos;
          value.begin = pos + 1;
          value.end = static_cast<std::size_t>(static_cast<const char*>(close) - in_.data());
          pos = value.end + 1;
          // After a quoted value, anything but whitespace, '/' or '>' starts the next
          // attribute at once; the loop above handles all three.
        } else if (c != '>') {
          value.begin = pos;
          while (pos < n && !is_ascii_space(in_[pos]) && in_[pos] != '>') ++pos;
          if (pos >= n) return kNpos;
          value.end = pos;
        } else {
          value.begin = value.end = pos;  // "name=>": empty value, the '>' ends the tag
        }
      } else {
        value.begin = value.end = pos;  // no value
      }
      if (attributes == nullptr) continue;
      if (joining) {
        std::string joined = std::move(*joining);
        joining.reset();
        append_lowercase_name(name_start, name_end, joined);
        if (!remember_name(joined)) {
          if (!has_value) joining = std::move(joined);
          continue;
        }
        record_name(joined, value, *attributes);
        continue;
      }
      if (!remember_name(name_start, name_end)) {
        if (!has_value) append_lowercase_name(name_start, name_end, joining.emplace());
        continue;
      }
      record_name(in_.substr(name_start, name_end - name_start), value, *attributes);
    }
  }

  // A name as the tokenizer's buffer holds it: input-stream normalised, ASCII lowercased.
  void append_lowercase_name(std::size_t start, std::size_t end, std::string& out) const {
    const std::size_t from = out.size();
    append_input_text(in_, start, end, out);
    for (std::size_t i = from; i < out.size(); ++i) out[i] = ascii_lower(out[i]);
  }

  // Records the name in_[start, end) of the tag being parsed; false when it repeats an earlier
  // one. A tag's first few names are compared in place, without allocating; past that (or once
  // a joined name appears) they go into a hash set, so that a tag with 100,000 attributes still
  // takes linear time.
  bool remember_name(std::size_t start, std::size_t end) {
    if (!hashed_names_) {
      for (const auto& [other_start, other_end] : names_) {
        if (same_attribute_name(other_start, other_end, start, end)) return false;
      }
      if (names_.size() < kNamesComparedInPlace) {
        names_.emplace_back(start, end);
        return true;
      }
      hash_names();
    }
    std::string name;
    append_lowercase_name(start, end, name);
    return remember_name(name);
  }

  // The same for a name already normalised and lowercased (a joined one).
  bool remember_name(const std::string& lowercase_name) {
    if (!hashed_names_) hash_names();
    // Gumbo keeps a NUL in an attribute name as a C string end: never equal to another name.
    if (lowercase_name.find('\0') != kNpos) return true;
    return name_set_.insert(lowercase_name).second;
  }

  void hash_names() {
    hashed_names_ = true;
    name_set_.clear();
    std::string name;
    for (const auto& [start, end] : names_) {
      name.clear();
      append_lowercase_name(start, end, name);
      remember_name(name);
    }
  }

  // Whether two attribute names read the same to the tokenizer (ASCII lowercased, input-stream
  // normalised).
  bool same_attribute_name(std::size_t a_start, std::size_t a_end, std::size_t b_start,
                           std::size_t b_end) const {
    const std::string_view a = in_.substr(a_start, a_end - a_start);
    const std::string_view b = in_.substr(b_start, b_end - b_start);
    // Gumbo keeps a NUL in an attribute name as a NUL (a C string end), and such a name never
    // compares equal to another.
    if (a.find('\0') != kNpos || b.find('\0') != kNpos) return false;
    const auto plain = [](std::string_view s) {
      return std::all_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F &&
               c != '<';
      });
    };
    if (plain(a) && plain(b)) return equals_ignore_case(a, b);
    std::string na;
    std::string nb;
    append_input_text(in_, a_start, a_end, na);
    append_input_text(in_, b_start, b_end, nb);
    return equals_ignore_case(na, nb);
  }

  static void record_name(std::string_view name, const RawValue& value, Attributes& attributes) {
    const std::size_t length = name.size();
    if (length < 3 || length > 10) return;
    std::array<char, 10> lower{};
    for (std::size_t i = 0; i < length; ++i) lower[i] = ascii_lower(name[i]);
    RawValue* slot = attributes.slot(std::string_view(lower.data(), length));
    if (slot != nullptr && !slot->present) *slot = value;
  }

  // The value of an attribute as the tree has it: input-stream normalised, references decoded.
  std::string attribute_value(const RawValue& raw) const {
    std::string normalised;
    append_input_text(in_, raw.begin, raw.end, normalised);
    if (normalised.find('&') == kNpos) return normalised;
    std::string decoded;
    decoded.reserve(normalised.size());
    decode_references(normalised, true, decoded);
    return decoded;
  }

  // Position of the "</" of the appropriate end tag for `name` (raw text and RCDATA), searching
  // from `pos`; kNpos when there is none.
  std::size_t find_end_tag(std::size_t pos, std::string_view name) const {
    const std::size_t n = in_.size();
    while ((pos = in_.find("</", pos)) != kNpos) {
      const std::size_t after = pos + 2 + name.size();
      if (after < n && equals_ignore_case(in_.substr(pos + 2, name.size()), name) &&
          is_tag_name_end(in_[after])) {
        return pos;
      }
      pos += 2;
    }
    return kNpos;
  }

  // Skips raw text or RCDATA content from `pos` through its end tag. Returns the position after
  // it (the input's end when the element or its end tag runs to the end); `content_end` gets
  // where the text stops.
  std::size_t skip_text(std::size_t pos, std::string_view name, std::size_t* content_end) {
    const std::size_t end_tag = find_end_tag(pos, name);
    if (content_end != nullptr) *content_end = end_tag == kNpos ? in_.size() : end_tag;
    if (end_tag == kNpos) return in_.size();
    const std::size_t after = parse_attributes(end_tag + 2 + name.size(), nullptr);
    return after == kNpos ? in_.size() : after;
  }

  // Skips script data from `pos` through "</script>", following the escape states: inside
  // "<!--", a "<script" makes a later "</script>" part of the text until "-->".
  std::size_t skip_script(std::size_t pos) {
    const std::size_t n = in_.size();
    enum class State { kData, kEscaped, kDoubleEscaped };
    State state = State::kData;
    std::size_t dashes = 0;  // consecutive '-' just read, in the escaped states
    while (pos < n) {
      if (state == State::kData) {
        const std::size_t lt = in_.find('<', pos);
        if (lt == kNpos) return n;
        pos = lt + 1;
        if (is_script_end_tag(lt)) return end_script_tag(lt);
        if (in_.substr(pos, 3) == "!--") {
          pos += 3;
          state = State::kEscaped;
          dashes = 2;  // "<!--" leaves the tokenizer in "escaped dash dash": "<!-->" ends it
        }
        continue;
      }
      const char c = in_[pos];
      if (c == '-') {
        ++dashes;
        ++pos;
        continue;
      }
      if (c == '>' && dashes >= 2) {
        state = State::kData;
        ++pos;
        continue;
      }
      dashes = 0;
      if (c != '<') {
        ++pos;
        continue;
      }
      if (state == State::kEscaped) {
        if (is_script_end_tag(pos)) return end_script_tag(pos);
        if (is_script_name(pos + 1)) state = State::kDoubleEscaped;
      } else if (in_.substr(pos + 1, 1) == "/" && is_script_name(pos + 2)) {
        state = State::kEscaped;  // "</script>" inside the double escape only leaves it
      }
      ++pos;
    }
    return n;
  }

  // "script" followed by whitespace, '/' or '>' at `pos`.
  bool is_script_name(std::size_t pos) const {
    const std::size_t after = pos + 6;
    return after < in_.size() && equals_ignore_case(in_.substr(pos, 6), "script") &&
           is_tag_name_end(in_[after]);
  }
  bool is_script_end_tag(std::size_t lt) const {
    return lt + 1 < in_.size() && in_[lt + 1] == '/' && is_script_name(lt + 2);
  }
  std::size_t end_script_tag(std::size_t lt) {
    const std::size_t after = parse_attributes(lt + 8, nullptr);
    return after == kNpos ? in_.size() : after;
  }

  // ----- Tree builder model -----

  // Character data in the data state, in[begin, end).
  void handle_text(std::size_t begin, std::size_t end) {
    if (template_depth_ > 0) return;
    if (phase_ == Phase::kBeforeBody) {
      const TextContent content = classify_text(in_.substr(begin, end - begin));
      if (content.any) open_body(/*frameset_ok=*/!content.non_nul);
    } else if (phase_ == Phase::kBody && frameset_ok_ && !in_select_) {
      if (classify_text(in_.substr(begin, end - begin)).non_nul) frameset_ok_ = false;
    }
  }

  void open_body(bool frameset_ok) {
    phase_ = Phase::kBody;
    // A <template> anywhere before (the head included) already said "not ok".
    frameset_ok_ = frameset_ok && !template_seen_;
    body_start_.links = page_.links.size();
    body_start_.links_truncated = page_.links_truncated;
    body_start_.title = page_.title;
    body_start_.seen_title = seen_title_;
    body_start_.base_href = page_.base_href;
    body_start_.seen_base = seen_base_;
    body_start_.meta_nofollow = page_.meta_nofollow;
    body_start_.meta_noindex = page_.meta_noindex;
    body_start_.meta_charset = page_.meta_charset;
  }

  // A <frameset> replaces the body: what was found in it goes with it.
  void replace_body_with_frameset() {
    page_.links.resize(body_start_.links);
    page_.links_truncated = body_start_.links_truncated;
    page_.title = body_start_.title;
    seen_title_ = body_start_.seen_title;
    page_.base_href = body_start_.base_href;
    seen_base_ = body_start_.seen_base;
    page_.meta_nofollow = body_start_.meta_nofollow;
    page_.meta_noindex = body_start_.meta_noindex;
    page_.meta_charset = body_start_.meta_charset;
    svg_.clear();
    table_depth_ = 0;
    open_.fill(0);
    phase_ = Phase::kFrameset;
    frameset_depth_ = 1;
  }

  // Elements found here end up in the tree where parse_html looks for them.
  bool is_visible() const { return template_depth_ == 0 && svg_.empty(); }

  // `pos` is at the first letter of the tag name. Returns where scanning resumes.
  std::size_t start_tag(std::size_t pos) {
    std::size_t name_end = pos;
    while (name_end < in_.size() && !is_tag_name_end(in_[name_end])) ++name_end;
    if (name_end >= in_.size()) return in_.size();  // EOF in the tag name: dropped
    const std::string_view name = in_.substr(pos, name_end - pos);
    char root = 0;
    GumboTag tag = GUMBO_TAG_UNKNOWN;
    // Right after "</>", Gumbo's record of a tag's source text starts at that "</>", and
    // parse_html no longer recognises a renamed <svg> or <math> there.
    if (is_renamed_root(in_, pos) && pos - 1 != after_empty_end_tag_) {
      root = ascii_lower(name[0]);  // parse_html sees <x-svg>/<x-math>: unknown elements
    } else {
      tag = gumbo_tagn_enum(name.data(), static_cast<unsigned int>(name.size()));
    }
    Attributes attributes;
    const bool wanted = kTagsWithAttributes.contains(tag);
    const std::size_t after = parse_attributes(name_end, wanted ? &attributes : nullptr);
    if (after == kNpos) return in_.size();  // EOF inside the tag: dropped
    return handle_start_tag(tag, root, attributes, after);
  }

  std::size_t handle_start_tag(GumboTag tag, char root, const Attributes& attributes,
                               std::size_t pos) {
    if (phase_ == Phase::kFrameset || phase_ == Phase::kAfterFrameset) {
      if (tag == GUMBO_TAG_NOFRAMES) return skip_text(pos, "noframes", nullptr);
      if (phase_ == Phase::kFrameset) {
        if (tag == GUMBO_TAG_FRAMESET) ++frameset_depth_;
        if (tag == GUMBO_TAG_FRAME) add_link(attributes.src, LinkSource::kFrame, false);
      }
      return pos;  // everything else is ignored
    }
    if (phase_ == Phase::kBeforeBody && template_depth_ == 0) {
      if (tag == GUMBO_TAG_FRAMESET) {
        phase_ = Phase::kFrameset;
        frameset_depth_ = 1;
        return pos;
      }
      if (tag == GUMBO_TAG_BODY) {
        open_body(/*frameset_ok=*/false);
        return pos;
      }
      // <noscript> belongs to the head until "</head>"; after it, it opens the body.
      const bool head_element =
          kHeadTags.contains(tag) || (tag == GUMBO_TAG_NOSCRIPT && !after_head_);
      if (!head_element) open_body(/*frameset_ok=*/true);
    }
    if (in_select_) {
      switch (tag) {
        case GUMBO_TAG_SELECT:
          in_select_ = false;  // a nested <select> acts as </select>
          return pos;
        case GUMBO_TAG_INPUT:
        case GUMBO_TAG_KEYGEN:
        case GUMBO_TAG_TEXTAREA:
          in_select_ = false;  // closes the select, then counts as in the body
          break;
        case GUMBO_TAG_SCRIPT:
          return skip_script(pos);
        case GUMBO_TAG_TEMPLATE:
          open_template();
          return pos;
        default:
          if (select_in_table_ && kTableParts.contains(tag)) {
            in_select_ = false;
            break;
          }
          return pos;  // ignored, raw-text elements included
      }
    }
    return body_start_tag(tag, root, attributes, pos);
  }

  std::size_t body_start_tag(GumboTag tag, char root, const Attributes& attributes,
                             std::size_t pos) {
    const bool in_body = phase_ == Phase::kBody && template_depth_ == 0;
    if (in_body && frameset_ok_) {
      if (tag == GUMBO_TAG_FRAMESET) {
        replace_body_with_frameset();
        return pos;
      }
      const bool hidden_input = tag == GUMBO_TAG_INPUT && attributes.type.present &&
                                equals_ignore_case(attribute_value(attributes.type), "hidden");
      if (kFramesetNotOk.contains(tag) || (tag == GUMBO_TAG_INPUT && !hidden_input)) {
        frameset_ok_ = false;
      }
    }
    if (in_body) svg_start_tag(tag, root);
    const bool visible = is_visible();
    switch (tag) {
      case GUMBO_TAG_A:
        if (visible) add_link(attributes.href, LinkSource::kAnchor, rel_nofollow(attributes));
        return pos;
      case GUMBO_TAG_AREA:
        if (visible) add_link(attributes.href, LinkSource::kArea, rel_nofollow(attributes));
        return pos;
      case GUMBO_TAG_LINK:
        if (visible) visit_link(attributes);
        return pos;
      case GUMBO_TAG_BASE:
        if (visible && !seen_base_ && attributes.href.present) {
          seen_base_ = true;
          page_.base_href = std::string(trim_ascii_space(attribute_value(attributes.href)));
        }
        return pos;
      case GUMBO_TAG_META:
        if (visible) visit_meta(attributes);
        return pos;
      case GUMBO_TAG_IFRAME:
        if (visible) add_link(attributes.src, LinkSource::kIframe, false);
        return skip_text(pos, "iframe", nullptr);
      case GUMBO_TAG_TITLE: {
        std::size_t content_end = 0;
        const std::size_t after = skip_text(pos, "title", &content_end);
        if (visible && !seen_title_) {
          seen_title_ = true;
          std::string normalised;
          append_input_text(in_, pos, content_end, normalised);
          std::string decoded;
          decode_references(normalised, false, decoded);
          page_.title = collapse_whitespace(decoded, kMaxTitleBytes);
        }
        return after;
      }
      case GUMBO_TAG_SCRIPT:
        return skip_script(pos);
      case GUMBO_TAG_STYLE:
        return skip_text(pos, "style", nullptr);
      case GUMBO_TAG_XMP:
        return skip_text(pos, "xmp", nullptr);
      case GUMBO_TAG_NOEMBED:
        return skip_text(pos, "noembed", nullptr);
      case GUMBO_TAG_NOFRAMES:
        return skip_text(pos, "noframes", nullptr);
      case GUMBO_TAG_TEXTAREA:
        return skip_text(pos, "textarea", nullptr);
      case GUMBO_TAG_PLAINTEXT:
        return in_.size();  // the rest of the input is text
      case GUMBO_TAG_TEMPLATE:
        open_template();
        return pos;
      case GUMBO_TAG_SELECT:
        in_select_ = true;
        select_in_table_ = table_depth_ > 0;
        return pos;
      case GUMBO_TAG_TABLE:
        ++table_depth_;
        return pos;
      default:
        return pos;
    }
  }

  // `pos` is at the first letter of the end tag's name. Returns where scanning resumes.
  std::size_t end_tag(std::size_t pos) {
    std::size_t name_end = pos;
    while (name_end < in_.size() && !is_tag_name_end(in_[name_end])) ++name_end;
    if (name_end >= in_.size()) return in_.size();
    const std::string_view name = in_.substr(pos, name_end - pos);
    // </svg> and </math> read </x-svg> and </x-math> to parse_html: unknown names.
    const GumboTag tag = is_renamed_root(in_, pos)
                             ? GUMBO_TAG_UNKNOWN
                             : gumbo_tagn_enum(name.data(), static_cast<unsigned int>(name.size()));
    const std::size_t after = parse_attributes(name_end, nullptr);
    if (after == kNpos) return in_.size();
    handle_end_tag(tag);
    return after;
  }

  void handle_end_tag(GumboTag tag) {
    if (phase_ == Phase::kFrameset) {
      if (tag == GUMBO_TAG_FRAMESET && --frameset_depth_ == 0) phase_ = Phase::kAfterFrameset;
      return;
    }
    if (phase_ == Phase::kAfterFrameset) return;
    if (phase_ == Phase::kBeforeBody && template_depth_ == 0) {
      if (tag == GUMBO_TAG_HEAD) after_head_ = true;
      // ("</br>" acts as <br>, but Gumbo lets it keep the frameset-ok flag.)
      if (tag == GUMBO_TAG_BODY || tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BR) {
        open_body(/*frameset_ok=*/true);
      }
      if (tag != GUMBO_TAG_TEMPLATE) return;
    }
    if (in_select_) {
      if (tag == GUMBO_TAG_SELECT) {
        in_select_ = false;
        return;
      }
      if (tag == GUMBO_TAG_TEMPLATE) {
        close_template();
        return;
      }
      if (!(select_in_table_ && kTableParts.contains(tag))) return;
      in_select_ = false;  // closes the select, then acts in the table
    }
    if (tag == GUMBO_TAG_TEMPLATE) {
      close_template();
      return;
    }
    if (template_depth_ > 0) return;
    if (tag == GUMBO_TAG_TABLE && table_depth_ > 0) --table_depth_;
    svg_end_tag(tag);
  }

  void open_template() {
    // Every <template> start tag goes through "in head", which sets frameset-ok to "not ok".
    frameset_ok_ = false;
    template_seen_ = true;
    templates_.push_back({in_select_, select_in_table_, table_depth_});
    in_select_ = false;
    select_in_table_ = false;
    table_depth_ = 0;
    ++template_depth_;
  }

  void close_template() {
    if (template_depth_ == 0) return;
    const TemplateFrame frame = templates_.back();
    templates_.pop_back();
    in_select_ = frame.in_select;
    select_in_table_ = frame.select_in_table;
    table_depth_ = frame.table_depth;
    --template_depth_;
  }

  // ----- <svg>/<math> subtrees -----
  //
  // Inside a renamed <svg> or <math>, the elements opened since are kept on svg_ (the whole
  // subtree is invisible); outside one, only counts of open elements by tag (open_), enough to
  // tell whether an end tag or an implied end closes an element around the svg, and the svg with
  // it.

  void svg_start_tag(GumboTag tag, char root) {
    if (!svg_.empty()) {
      if (kClosesP.contains(tag)) close_implied(GUMBO_TAG_P, kScopeBoundaries, true);
      if (tag == GUMBO_TAG_LI) close_implied(GUMBO_TAG_LI, kSpecialTags, false);
      if (tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT) {
        close_implied(GUMBO_TAG_DD, kSpecialTags, false);
        close_implied(GUMBO_TAG_DT, kSpecialTags, false);
      }
      // A new <a> ends an open one, with what was opened inside it (the adoption agency without
      // a furthest block).
      if (tag == GUMBO_TAG_A) close_implied(GUMBO_TAG_A, kSpecialTags, false);
    }
    const bool element = !kVoidTags.contains(tag) && !kRawTextTags.contains(tag) &&
                         tag != GUMBO_TAG_TEMPLATE && tag != GUMBO_TAG_SELECT;
    if (root != 0 || (!svg_.empty() && element)) {
      svg_.push_back({tag, root});
    } else if (element) {
      if (kClosesP.contains(tag)) open_[GUMBO_TAG_P] = 0;
      ++open_[tag];
    }
  }

  // A start tag's implied close of `target` while inside an svg: an open `target` in the svg is
  // popped (with what is above it) unless a `stops` element is nearer; one outside closes the
  // whole svg.
  void close_implied(GumboTag target, const TagSet& stops, bool button_scope) {
    for (std::size_t i = svg_.size(); i-- > 0;) {
      const SvgElement& element = svg_[i];
      if (element.root == 0 && element.tag == target) {
        svg_.resize(i);
        return;
      }
      if (element.root == 0 &&
          (stops.contains(element.tag) || (button_scope && element.tag == GUMBO_TAG_BUTTON))) {
        if (target == GUMBO_TAG_P || target == GUMBO_TAG_A) return;
        // The list-item walk passes <address>, <div> and <p>.
        if (element.tag != GUMBO_TAG_ADDRESS && element.tag != GUMBO_TAG_DIV &&
            element.tag != GUMBO_TAG_P) {
          return;
        }
      }
    }
    if (open_[target] > 0) {
      svg_.clear();
      open_[target] = 0;
    }
  }

  void svg_end_tag(GumboTag tag) {
    if (svg_.empty()) {
      if (open_[tag] > 0) --open_[tag];
      return;
    }
    const bool special = kSpecialTags.contains(tag);
    for (std::size_t i = svg_.size(); i-- > 0;) {
      const SvgElement& element = svg_[i];
      // Gumbo 0.10.1 keeps no name for unknown elements: an end tag of an unknown name (</svg>
      // included, as it reads </x-svg>) closes the nearest unknown element, whatever its name.
      if (element.tag == tag) {
        svg_.resize(i);
        return;
      }
      if (element.root == 0 &&
          (special ? kScopeBoundaries.contains(element.tag) : kSpecialTags.contains(element.tag))) {
        return;  // not in scope, or a special element stops "any other end tag"
      }
    }
    if (open_[tag] > 0) {  // closes an element around the svg
      svg_.clear();
      --open_[tag];
    }
  }

  // ----- Results -----

  static bool rel_nofollow_value(const std::string& rel) { return has_token(rel, {"nofollow"}); }
  bool rel_nofollow(const Attributes& attributes) const {
    return attributes.rel.present && rel_nofollow_value(attribute_value(attributes.rel));
  }

  void visit_link(const Attributes& attributes) {
    if (!attributes.rel.present) return;
    const std::string rel = attribute_value(attributes.rel);
    if (const auto source = html::link_rel_source(rel)) {
      add_link(attributes.href, *source, has_token(rel, {"nofollow"}));
    }
  }

  void visit_meta(const Attributes& attributes) {
    const auto value = [&](const RawValue& raw) {
      return raw.present ? attribute_value(raw) : std::string();
    };
    if (attributes.name.present &&
        equals_ignore_case(trim_ascii_space(value(attributes.name)), "robots")) {
      html::apply_robots_meta(value(attributes.content), page_);
    }
    if (!page_.meta_charset.empty()) return;
    if (attributes.charset.present) {
      page_.meta_charset = ascii_lower_copy(trim_ascii_space(value(attributes.charset)));
    } else if (attributes.http_equiv.present &&
               equals_ignore_case(trim_ascii_space(value(attributes.http_equiv)), "content-type")) {
      page_.meta_charset = charset_from_meta_content(value(attributes.content));
    }
  }

  void add_link(const RawValue& raw, LinkSource source, bool nofollow) {
    if (!raw.present || raw.begin == raw.end) return;
    std::string href = attribute_value(raw);
    const std::string_view trimmed = trim_ascii_space(href);
    if (trimmed.empty()) return;
    if (page_.links.size() >= options_.max_links) {
      page_.links_truncated = true;
      return;
    }
    if (trimmed.size() != href.size()) href = std::string(trimmed);
    page_.links.push_back(RawLink{std::move(href), source, nofollow});
  }

  std::string_view in_;
  const ParseOptions& options_;
  ParsedPage& page_;

  Phase phase_ = Phase::kBeforeBody;
  bool after_head_ = false;     // "</head>" seen before the body
  bool frameset_ok_ = true;     // the tree builder's frameset-ok flag (meaningful in kBody)
  bool template_seen_ = false;  // a <template> start tag cleared frameset-ok before the body
  Snapshot body_start_;         // the page as it was when the body opened
  std::size_t frameset_depth_ = 0;
  bool in_select_ = false;
  bool select_in_table_ = false;  // "in select in table": table parts close it
  std::size_t table_depth_ = 0;   // open <table>s (approximate: explicit end tags only)
  std::size_t template_depth_ = 0;
  std::vector<TemplateFrame> templates_;
  std::vector<SvgElement> svg_;  // the open subtree of an <svg>/<math>, outermost first
  std::array<std::uint32_t, GUMBO_TAG_LAST + 1> open_{};  // open elements by tag, outside svg
  bool seen_title_ = false;
  bool seen_base_ = false;
  std::size_t after_empty_end_tag_ = kNpos;  // where the last "</>" ended
  // The attribute names of the tag being parsed, as spans of the input (reused: no allocation
  // per tag).
  std::vector<std::pair<std::size_t, std::size_t>> names_;
  static constexpr std::size_t kNamesComparedInPlace = 16;
  // Past that many names, or after a join: every name so far, normalised and lowercased.
  bool hashed_names_ = false;
  std::unordered_set<std::string> name_set_;
};

}  // namespace

ParsedPage scan_links(std::string_view html, const ParseOptions& options) {
  ParsedPage page;
  Scanner(html, options, page).run();
  return page;
}

}  // namespace crawler
