#include "crawler/html/html_parser.h"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/html/charset.h"
#include "crawler/html/html_rules.h"
#include "crawler/util/ascii.h"

namespace crawler {
namespace {

using html::has_token;
using html::is_tag_name_end;
using html::kVoidTags;
using html::TagSet;

// Robustness is the design goal, and parse_html works around the failure modes of the Gumbo it
// links (0.10.1, Debian 12) with a cheap pre-scan and in how it drives Gumbo:
//  - Gumbo fails an assertion, aborting the whole process, on some SVG/MathML content
//    (<table><svg><select><title><select><table>). <svg> and <math> tags are renamed to unknown
//    HTML elements (rename_foreign_roots), so Gumbo never parses foreign content; their subtrees
//    still yield text but no title or links.
//  - Gumbo spends time linear in the depth of its open-element stack on most start tags, so deep
//    nesting is quadratic. Start tags that would nest deeper than ParseOptions::max_depth are
//    dropped (limit_markup); their content stays.
//  - Reopening implicitly closed formatting elements (<p><b id=1>x</p><p><b id=2>x</p>...)
//    clones every earlier one into every later block: memory quadratic in the input. Past an
//    estimated kCloneAllowanceBytes + kCloneBytesPerInputByte per input byte of clones, the page
//    is cut (limit_markup).
//  - Gumbo compares each attribute name with every earlier one in its tag, and merges the
//    attributes of every <html> and <body> into the first: quadratic too. Attributes past
//    kMaxAttributesPerTag in a tag, or past kMaxRootAttributes over all <html> and <body> start
//    tags, are dropped.
//  - A numeric character reference that overflows Gumbo's int ("&#x800000BC;") comes out as its
//    low byte, which is not UTF-8: text, title and hrefs are repaired to U+FFFD afterwards
//    (valid_utf8).
//  - gumbo_destroy_output recurses per tree level, so the tree is never freed through it: Gumbo
//    allocates from an arena that is freed in one flat walk (GumboArena).
// README.md ("Measurements behind design choices") has the figures behind these limits.

// ---------------------------------------------------------------------------------------------
// Markup limiter: a pre-scan that keeps pathological markup away from Gumbo.

bool is_in(GumboTag tag, const TagSet& set) { return set.contains(tag); }

// Elements whose content the tokenizer reads as text up to the matching end tag.
constexpr TagSet kRawTextTags = {GUMBO_TAG_SCRIPT,  GUMBO_TAG_STYLE,   GUMBO_TAG_TEXTAREA,
                                 GUMBO_TAG_TITLE,   GUMBO_TAG_XMP,     GUMBO_TAG_IFRAME,
                                 GUMBO_TAG_NOEMBED, GUMBO_TAG_NOFRAMES};

// Elements Gumbo merges into the ones it always creates instead of nesting them.
constexpr TagSet kSingletonTags = {GUMBO_TAG_HTML, GUMBO_TAG_HEAD, GUMBO_TAG_BODY};

// Start tags that close an open <p> (in button scope).
constexpr TagSet kClosesP = {
    GUMBO_TAG_ADDRESS, GUMBO_TAG_ARTICLE,  GUMBO_TAG_ASIDE,      GUMBO_TAG_BLOCKQUOTE,
    GUMBO_TAG_CENTER,  GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,        GUMBO_TAG_DIV,
    GUMBO_TAG_DL,      GUMBO_TAG_FIELDSET, GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE,
    GUMBO_TAG_FOOTER,  GUMBO_TAG_HEADER,   GUMBO_TAG_HGROUP,     GUMBO_TAG_MAIN,
    GUMBO_TAG_MENU,    GUMBO_TAG_NAV,      GUMBO_TAG_OL,         GUMBO_TAG_P,
    GUMBO_TAG_SECTION, GUMBO_TAG_SUMMARY,  GUMBO_TAG_UL,         GUMBO_TAG_H1,
    GUMBO_TAG_H2,      GUMBO_TAG_H3,       GUMBO_TAG_H4,         GUMBO_TAG_H5,
    GUMBO_TAG_H6,      GUMBO_TAG_PRE,      GUMBO_TAG_LISTING,    GUMBO_TAG_FORM,
    GUMBO_TAG_TABLE,   GUMBO_TAG_LI,       GUMBO_TAG_DD,         GUMBO_TAG_DT};

constexpr TagSet kHeadings = {GUMBO_TAG_H1, GUMBO_TAG_H2, GUMBO_TAG_H3,
                              GUMBO_TAG_H4, GUMBO_TAG_H5, GUMBO_TAG_H6};

// The HTML "special" category, as far as elements that can be open in the model go.
constexpr TagSet kSpecialTags = {
    GUMBO_TAG_ADDRESS,    GUMBO_TAG_APPLET, GUMBO_TAG_ARTICLE,  GUMBO_TAG_ASIDE,
    GUMBO_TAG_BLOCKQUOTE, GUMBO_TAG_BUTTON, GUMBO_TAG_CAPTION,  GUMBO_TAG_CENTER,
    GUMBO_TAG_COLGROUP,   GUMBO_TAG_DD,     GUMBO_TAG_DETAILS,  GUMBO_TAG_DIR,
    GUMBO_TAG_DIV,        GUMBO_TAG_DL,     GUMBO_TAG_DT,       GUMBO_TAG_FIELDSET,
    GUMBO_TAG_FIGCAPTION, GUMBO_TAG_FIGURE, GUMBO_TAG_FOOTER,   GUMBO_TAG_FORM,
    GUMBO_TAG_FRAMESET,   GUMBO_TAG_H1,     GUMBO_TAG_H2,       GUMBO_TAG_H3,
    GUMBO_TAG_H4,         GUMBO_TAG_H5,     GUMBO_TAG_H6,       GUMBO_TAG_HEADER,
    GUMBO_TAG_HGROUP,     GUMBO_TAG_LI,     GUMBO_TAG_LISTING,  GUMBO_TAG_MAIN,
    GUMBO_TAG_MARQUEE,    GUMBO_TAG_MENU,   GUMBO_TAG_NAV,      GUMBO_TAG_NOSCRIPT,
    GUMBO_TAG_OBJECT,     GUMBO_TAG_OL,     GUMBO_TAG_P,        GUMBO_TAG_PRE,
    GUMBO_TAG_SECTION,    GUMBO_TAG_SELECT, GUMBO_TAG_SUMMARY,  GUMBO_TAG_TABLE,
    GUMBO_TAG_TBODY,      GUMBO_TAG_TD,     GUMBO_TAG_TEMPLATE, GUMBO_TAG_TFOOT,
    GUMBO_TAG_TH,         GUMBO_TAG_THEAD,  GUMBO_TAG_TR,       GUMBO_TAG_UL};

// Elements the adoption agency algorithm handles, and which the list of active formatting
// elements reopens ("reconstructs") inside later blocks when they were closed implicitly.
constexpr TagSet kFormattingTags = {
    GUMBO_TAG_A,      GUMBO_TAG_B,      GUMBO_TAG_BIG,  GUMBO_TAG_CODE, GUMBO_TAG_EM,
    GUMBO_TAG_FONT,   GUMBO_TAG_I,      GUMBO_TAG_NOBR, GUMBO_TAG_S,    GUMBO_TAG_SMALL,
    GUMBO_TAG_STRIKE, GUMBO_TAG_STRONG, GUMBO_TAG_TT,   GUMBO_TAG_U};

// Elements that put a marker on the list of active formatting elements: nothing before it is
// reopened inside them.
constexpr TagSet kMarkerTags = {GUMBO_TAG_APPLET,  GUMBO_TAG_CAPTION, GUMBO_TAG_MARQUEE,
                                GUMBO_TAG_OBJECT,  GUMBO_TAG_TD,      GUMBO_TAG_TH,
                                GUMBO_TAG_TEMPLATE};

// Where searches for an element to close implicitly stop (the spec's scopes, roughly).
constexpr TagSet kScopeBoundaries = {GUMBO_TAG_APPLET, GUMBO_TAG_CAPTION,  GUMBO_TAG_TABLE,
                                     GUMBO_TAG_TD,     GUMBO_TAG_TH,       GUMBO_TAG_MARQUEE,
                                     GUMBO_TAG_OBJECT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_BUTTON};
constexpr TagSet kCellBoundaries = {GUMBO_TAG_TR, GUMBO_TAG_TABLE};
constexpr TagSet kTable = {GUMBO_TAG_TABLE};
constexpr TagSet kRowBoundaries = {GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT,
                                   GUMBO_TAG_TABLE};
constexpr TagSet kListBoundaries = {
    GUMBO_TAG_UL,      GUMBO_TAG_OL,      GUMBO_TAG_DL,       GUMBO_TAG_MENU,  GUMBO_TAG_DIR,
    GUMBO_TAG_APPLET,  GUMBO_TAG_CAPTION, GUMBO_TAG_TABLE,    GUMBO_TAG_TD,    GUMBO_TAG_TH,
    GUMBO_TAG_MARQUEE, GUMBO_TAG_OBJECT,  GUMBO_TAG_TEMPLATE, GUMBO_TAG_BUTTON};

// Rough cost, in bytes of Gumbo memory, of one element cloned by reconstruction, on top of its
// attributes (which are copied with it).
constexpr std::size_t kCloneCost = 128;

// Estimated clone bytes after which the rest of a page is not parsed: a fixed allowance plus a
// multiple of the input size, smaller than Gumbo's own footprint per byte of dense markup. Ordinary
// sloppy pages (a few unclosed <font>s over a few thousand paragraphs) stay far below; quadratic
// cloning crosses it after a few hundred blocks.
constexpr std::size_t kCloneAllowanceBytes = std::size_t{32} << 20;
constexpr std::size_t kCloneBytesPerInputByte = 16;

// Gumbo compares every attribute name with each earlier one in its tag, and adds the attributes
// of every <html> and <body> start tag to the first one after the same search, so its time grows
// with the square of the attribute count, in one tag or over all <html> and <body> tags. Ordinary
// tags have a handful.
constexpr std::size_t kMaxAttributesPerTag = 256;
constexpr std::size_t kMaxRootAttributes = 256;  // over all <html> and <body> start tags

// Gumbo (and the model) scan the list of active formatting elements for every formatting start
// tag; ordinary pages keep a handful on it.
constexpr std::size_t kMaxActiveFormattingElements = 1024;

// A rough model of Gumbo's stack of open elements and list of active formatting elements, good
// enough to tell how deep a start tag would nest and how many elements reconstruction clones. It
// follows the tree-construction rules that keep sloppy but ordinary HTML shallow (implied end
// tags, end tags closing what is above their element, the adoption agency's effect on depth,
// Noah's Ark, markers) and ignores the rest. It does not need to be exact: stack safety does not
// depend on it (see GumboArena), only the time and memory Gumbo spends on pathological pages.
class OpenElementModel {
 public:
  std::size_t depth() const { return stack_.size(); }
  bool in_select() const { return count(GUMBO_TAG_SELECT) > 0; }
  std::size_t active_formatting_elements() const { return active_.size(); }

  // Reopens the implicitly closed formatting elements, as Gumbo does before inserting text or an
  // inline element. Returns the estimated bytes the clones cost.
  std::size_t reconstruct() {
    // Cheap exit for the common case: the last entry is a marker or still open.
    if (active_.empty() || active_.back().id == 0 || active_.back().open) return 0;
    std::size_t first = active_.size() - 1;
    while (first > 0 && active_[first - 1].id != 0 && !active_[first - 1].open) --first;
    std::size_t cost = 0;
    for (std::size_t i = first; i < active_.size(); ++i) {
      active_[i].open = true;
      push_element(active_[i].tag, active_[i].id);
      cost += kCloneCost + active_[i].attributes.size();
    }
    return cost;
  }

  // Applies the end tags that `tag`'s start tag implies.
  void close_implied(GumboTag tag) {
    if (is_in(tag, kClosesP)) close_in_scope({GUMBO_TAG_P}, kScopeBoundaries);
    if (is_in(tag, kHeadings)) {
      if (!stack_.empty() && is_in(stack_.back().tag, kHeadings)) pop();
    } else if (tag == GUMBO_TAG_LI) {
      close_in_scope({GUMBO_TAG_LI}, kListBoundaries);
    } else if (tag == GUMBO_TAG_DD || tag == GUMBO_TAG_DT) {
      close_in_scope({GUMBO_TAG_DD, GUMBO_TAG_DT}, kListBoundaries);
    } else if (tag == GUMBO_TAG_A || tag == GUMBO_TAG_NOBR) {
      // A new <a> ends the previous one (and <nobr> likewise), wherever it is.
      const std::uint32_t id = adoption_agency(tag);
      if (id != 0) forget(id);
    } else if (tag == GUMBO_TAG_BUTTON) {
      close_in_scope({tag}, kScopeBoundaries);
    } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
      close_in_scope({GUMBO_TAG_TD, GUMBO_TAG_TH}, kCellBoundaries);
    } else if (tag == GUMBO_TAG_TR) {
      close_in_scope({GUMBO_TAG_TR}, kRowBoundaries);
    } else if (tag == GUMBO_TAG_TBODY || tag == GUMBO_TAG_THEAD || tag == GUMBO_TAG_TFOOT) {
      close_in_scope({GUMBO_TAG_TBODY, GUMBO_TAG_THEAD, GUMBO_TAG_TFOOT}, kTable);
    } else if (tag == GUMBO_TAG_OPTION || tag == GUMBO_TAG_OPTGROUP) {
      while (!stack_.empty() && (stack_.back().tag == GUMBO_TAG_OPTION ||
                                 (tag == GUMBO_TAG_OPTGROUP && stack_.back().tag == tag))) {
        pop();
      }
    }
  }

  // Opens an element. `attributes` is the raw attribute text, which stands in for the parsed
  // attributes when Noah's Ark compares formatting elements.
  void push(GumboTag tag, std::string_view attributes) {
    std::uint32_t id = 0;
    if (is_in(tag, kFormattingTags)) {
      apply_noahs_ark(tag, attributes);
      id = next_id_++;
      active_.push_back({tag, attributes, id, true});
    }
    if (is_in(tag, kMarkerTags)) active_.push_back({GUMBO_TAG_UNKNOWN, {}, 0, false});
    push_element(tag, id);
  }

  void end_tag(GumboTag tag) {
    if (count(tag) == 0 && !is_in(tag, kFormattingTags)) return;
    if (is_in(tag, kFormattingTags)) {
      if (adoption_agency(tag) != 0) return;
    } else if (is_in(tag, kSpecialTags)) {
      while (stack_.back().tag != tag) pop();
      pop();
      return;
    }
    // "Any other end tag": closes its element unless a special element is in the way.
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].tag == tag) {
        while (stack_.size() > i) pop();
        return;
      }
      if (is_in(stack_[i].tag, kSpecialTags)) return;
    }
  }

 private:
  struct OpenElement {
    GumboTag tag;
    std::uint32_t formatting_id;  // its entry in active_, or 0
  };
  struct FormattingEntry {
    GumboTag tag;
    std::string_view attributes;
    std::uint32_t id;  // 0 for a marker
    bool open;         // on the stack (clones reopen closed entries)
  };

  std::uint32_t count(GumboTag tag) const { return counts_[tag]; }

  void push_element(GumboTag tag, std::uint32_t formatting_id) {
    stack_.push_back({tag, formatting_id});
    ++counts_[tag];
  }

  void pop() {
    const OpenElement element = stack_.back();
    stack_.pop_back();
    --counts_[element.tag];
    if (element.formatting_id != 0) {
      if (FormattingEntry* entry = find_entry(element.formatting_id)) entry->open = false;
    }
    if (is_in(element.tag, kMarkerTags)) {
      // Leaving a cell (or object...) clears the list back to its marker.
      while (!active_.empty()) {
        const bool marker = active_.back().id == 0;
        active_.pop_back();
        if (marker) break;
      }
    }
  }

  FormattingEntry* find_entry(std::uint32_t id) {
    for (std::size_t i = active_.size(); i-- > 0;) {
      if (active_[i].id == id) return &active_[i];
    }
    return nullptr;
  }

  std::size_t last_marker_end() const {
    for (std::size_t i = active_.size(); i-- > 0;) {
      if (active_[i].id == 0) return i + 1;
    }
    return 0;
  }

  // At most three identical formatting elements stay on the list; the oldest one goes.
  void apply_noahs_ark(GumboTag tag, std::string_view attributes) {
    std::size_t same = 0;
    std::size_t oldest = 0;
    const std::size_t begin = last_marker_end();
    for (std::size_t i = active_.size(); i-- > begin;) {
      if (active_[i].tag == tag && active_[i].attributes == attributes) {
        ++same;
        oldest = i;
      }
    }
    if (same >= 3) active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(oldest));
  }

  // The adoption agency algorithm's effect on the model for an end tag (or implied end) of the
  // formatting element `tag`. Returns the id of the entry it acted on, or 0 when there is none
  // after the last marker (the end tag is then an ordinary one).
  std::uint32_t adoption_agency(GumboTag tag) {
    const std::size_t begin = last_marker_end();
    std::size_t entry = active_.size();
    for (std::size_t i = active_.size(); i-- > begin;) {
      if (active_[i].tag == tag) {
        entry = i;
        break;
      }
    }
    if (entry == active_.size()) return 0;
    const std::uint32_t id = active_[entry].id;
    if (!active_[entry].open) {
      active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(entry));
      return id;
    }
    std::size_t index = stack_.size();
    while (index-- > 0 && stack_[index].formatting_id != id) {
    }
    if (index >= stack_.size()) return id;  // not reachable while the model is consistent
    std::size_t furthest_block = stack_.size();
    for (std::size_t i = index + 1; i < stack_.size(); ++i) {
      if (is_in(stack_[i].tag, kSpecialTags)) {
        furthest_block = i;
        break;
      }
    }
    if (furthest_block == stack_.size()) {
      while (stack_.size() > index) pop();
      forget(id);
      return id;
    }
    // The formatting element moves inside the furthest block (as a clone): same depth overall,
    // which is how <b><div></b> repeated nests ever deeper.
    const OpenElement moved = stack_[index];
    stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(index));
    stack_.insert(stack_.begin() + static_cast<std::ptrdiff_t>(furthest_block), moved);
    return id;
  }

  // Removes the formatting element `id` from the list and, if still open, from the stack.
  void forget(std::uint32_t id) {
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (stack_[i].formatting_id == id) {
        --counts_[stack_[i].tag];
        stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    for (std::size_t i = active_.size(); i-- > 0;) {
      if (active_[i].id == id) {
        active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
  }

  // Closes the nearest open element in `targets`, unless a `boundaries` element is nearer.
  void close_in_scope(std::initializer_list<GumboTag> targets, const TagSet& boundaries) {
    // Counting first keeps the common case (nothing to close) off the stack walk.
    if (std::none_of(targets.begin(), targets.end(), [&](GumboTag t) { return count(t) > 0; })) {
      return;
    }
    for (std::size_t i = stack_.size(); i-- > 0;) {
      if (std::find(targets.begin(), targets.end(), stack_[i].tag) != targets.end()) {
        while (stack_.size() > i) pop();
        return;
      }
      if (is_in(stack_[i].tag, boundaries)) return;
    }
  }

  std::vector<OpenElement> stack_;
  std::vector<FormattingEntry> active_;
  std::array<std::uint32_t, GUMBO_TAG_LAST + 1> counts_{};
  std::uint32_t next_id_ = 1;
};

// Where a tag whose attributes start at some position ends, found by a small copy of the
// tokenizer's attribute states: a quote starts a quoted value only right after "name=", so that
// `<a =">">` ends where Gumbo ends it.
struct TagEnd {
  std::size_t end = 0;                       // just past the '>', or html.size()
  bool closed = false;                       // a '>' ends the tag (not the input's end)
  std::size_t attributes = 0;                // attribute names started
  std::size_t cut = std::string_view::npos;  // where the attribute past `keep` starts
};

TagEnd scan_tag_attributes(std::string_view html, std::size_t pos, std::size_t keep) {
  enum class State { kBeforeName, kName, kAfterName, kBeforeValue, kUnquotedValue };
  State state = State::kBeforeName;
  TagEnd result;
  const auto start_name = [&](std::size_t at) {
    if (result.attributes++ == keep) result.cut = at;
    state = State::kName;
  };
  while (pos < html.size()) {
    const char c = html[pos++];
    if (c == '>') {  // ends the tag in every state but a quoted value
      result.end = pos;
      result.closed = true;
      return result;
    }
    const bool space = is_ascii_space(c);
    switch (state) {
      case State::kBeforeName:
        if (!space && c != '/') start_name(pos - 1);
        break;
      case State::kName:
      case State::kAfterName:
        if (c == '=') {
          state = State::kBeforeValue;
        } else if (c == '/') {
          state = State::kBeforeName;
        } else if (space) {
          state = State::kAfterName;
        } else if (state == State::kAfterName) {
          start_name(pos - 1);
        }
        break;
      case State::kBeforeValue:
        if (c == '"' || c == '\'') {
          const std::size_t close = html.find(c, pos);
          if (close == std::string_view::npos) {
            result.end = html.size();
            return result;
          }
          pos = close + 1;
          state = State::kBeforeName;
        } else if (!space) {
          state = State::kUnquotedValue;
        }
        break;
      case State::kUnquotedValue:
        if (space) state = State::kBeforeName;
        break;
    }
  }
  result.end = html.size();
  return result;
}

std::size_t skip_tag_attributes(std::string_view html, std::size_t pos) {
  return scan_tag_attributes(html, pos, std::string_view::npos).end;
}

// Position just past the end tag closing the raw-text element `name` (its content contains no
// markup), or html.size().
std::size_t skip_raw_text(std::string_view html, std::size_t pos, std::string_view name) {
  while ((pos = html.find("</", pos)) != std::string_view::npos) {
    pos += 2;
    const std::string_view candidate = html.substr(pos, name.size());
    const std::size_t after = pos + name.size();
    if (equals_ignore_case(candidate, name) &&
        (after == html.size() || is_ascii_space(html[after]) || html[after] == '/' ||
         html[after] == '>')) {
      return skip_tag_attributes(html, after);
    }
  }
  return html.size();
}

// Position just past the comment starting at `pos` ("<!--"), or html.size().
std::size_t skip_comment(std::string_view html, std::size_t pos) {
  // "<!-->" and "<!--->" are complete comments, and "--!>" ends one too.
  for (std::size_t i = pos + 2; (i = html.find("--", i)) != std::string_view::npos; ++i) {
    if (i + 2 < html.size() && html[i + 2] == '>') return i + 3;
    if (i + 3 < html.size() && html[i + 2] == '!' && html[i + 3] == '>') return i + 4;
  }
  return html.size();
}

// The input with every <svg> and <math> tag renamed to an unknown HTML element (x-svg, x-math),
// or nullopt when there are none.
//
// Gumbo 0.10.1 mistakes SVG and MathML elements named like table parts or <select> for the HTML
// ones when it resets its insertion mode, and then fails an assertion, which aborts the process
// (Debian builds it with assertions; fixed upstream after the release): <table><svg><select>
// <title><select><table> is enough. Without <svg> and <math> start tags Gumbo never enters
// foreign content, so that whole class of bugs is out of reach; SVG and MathML content then
// parses as ordinary HTML, which is all a crawler needs from it. The renaming deliberately
// ignores context (it also applies inside scripts, comments and attribute values): the tokenizer
// can only build such a tag from these bytes, so no context can smuggle one past it.
std::optional<std::string> rename_foreign_roots(std::string_view html) {
  std::optional<std::string> out;
  std::size_t copied = 0;
  for (std::size_t pos = 0; (pos = html.find('<', pos)) != std::string_view::npos;) {
    ++pos;
    std::size_t name_start = pos;
    if (name_start < html.size() && html[name_start] == '/') ++name_start;
    bool foreign_root = false;
    for (const std::string_view root : {std::string_view("svg"), std::string_view("math")}) {
      const std::size_t after = name_start + root.size();
      foreign_root =
          foreign_root ||
          (after < html.size() && equals_ignore_case(html.substr(name_start, root.size()), root) &&
           is_tag_name_end(html[after]));
    }
    if (!foreign_root) continue;
    if (!out) out.emplace().reserve(html.size() + 64);
    out->append(html.substr(copied, name_start - copied));
    out->append("x-");
    copied = name_start;
  }
  if (out) out->append(html.substr(copied));
  return out;
}

// Start tags that reopen implicitly closed formatting elements before they are inserted: all but
// the block-level, table and raw-text ones.
bool reconstructs(GumboTag tag) {
  return !is_in(tag, kClosesP) && !is_in(tag, kRawTextTags) && !is_in(tag, kSingletonTags) &&
         !is_in(tag, kRowBoundaries) && !is_in(tag, kCellBoundaries) && !is_in(tag, kMarkerTags);
}

// The input with pathological markup defused, or nullopt when there was none (the common case,
// which costs no copy):
//  - a start tag that would nest deeper than `max_depth`, or put more than
//    kMaxActiveFormattingElements on the list of active formatting elements, is removed. Its
//    content stays; its end tag stays too and closes an outer element of the same name, in Gumbo
//    and in the model alike.
//  - once reconstruction of formatting elements (<p><b id=1>x</p><p><b id=2>x</p>... clones
//    every earlier <b> into every later paragraph: quadratic memory) is estimated to have cost
//    `max_clone_bytes`, the input is cut there.
// Where the scan cannot follow Gumbo exactly it errs towards seeing more markup than Gumbo does,
// never less, so that markup cannot hide from it (a <style> inside <select> is ignored by Gumbo,
// so what follows it is markup to both).
std::optional<std::string> limit_markup(std::string_view html, std::size_t max_depth,
                                        std::size_t max_clone_bytes) {
  OpenElementModel model;
  std::optional<std::string> out;
  std::size_t copied = 0;  // html[0, copied) is already in *out
  std::size_t clone_bytes = 0;
  std::size_t cut = html.size();
  // Adds `cost`; on overrun, records the cut at `at` and returns false.
  const auto charge = [&](std::size_t cost, std::size_t at) {
    clone_bytes += cost;
    if (clone_bytes <= max_clone_bytes) return true;
    cut = at;
    return false;
  };
  std::size_t pos = 0;
  std::size_t text_start = 0;  // where character data after the last markup begins
  std::size_t root_attributes_left = kMaxRootAttributes;
  // Attributes cut from a tag: html[omit_begin, omit_end) is left out when copied.
  std::size_t omit_begin = std::string_view::npos;
  std::size_t omit_end = std::string_view::npos;
  // Appends html[copied, upto) to *out, less the cut attributes when they lie inside.
  const auto copy_to = [&](std::size_t upto) {
    if (omit_begin >= copied && omit_end <= upto) {
      out->append(html.substr(copied, omit_begin - copied));
      copied = omit_end;
    }
    if (upto > copied) out->append(html.substr(copied, upto - copied));
    copied = std::max(copied, upto);
  };
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    const std::size_t tag_start = pos;
    if (tag_start > text_start && !charge(model.reconstruct(), text_start)) break;
    const std::string_view rest = html.substr(pos);
    if (rest.starts_with("<!--")) {
      pos = text_start = skip_comment(html, pos);
      continue;
    }
    const bool end_tag = rest.size() > 1 && rest[1] == '/';
    const std::size_t name_start = pos + (end_tag ? 2 : 1);
    if (name_start >= html.size() || !is_ascii_alpha(html[name_start])) {
      // "<!doctype", "<?xml", "</ >" are bogus comments up to the first '>'. A lone '<' is text.
      if (rest.size() > 1 && (rest[1] == '!' || rest[1] == '?' || end_tag)) {
        const std::size_t close = html.find('>', pos);
        pos = text_start = close == std::string_view::npos ? html.size() : close + 1;
      } else {
        ++pos;
      }
      continue;
    }
    std::size_t name_end = name_start;
    while (name_end < html.size() && !is_tag_name_end(html[name_end])) ++name_end;
    const std::string_view name = html.substr(name_start, name_end - name_start);
    const GumboTag tag = gumbo_tagn_enum(name.data(), static_cast<unsigned int>(name.size()));
    // Gumbo compares each attribute name with all earlier ones in its tag, and merges those of
    // every <html> and <body> into the first: attributes past the caps are dropped.
    const bool root = !end_tag && (tag == GUMBO_TAG_HTML || tag == GUMBO_TAG_BODY);
    const TagEnd tag_end = scan_tag_attributes(
        html, name_end,
        root ? std::min(kMaxAttributesPerTag, root_attributes_left) : kMaxAttributesPerTag);
    pos = text_start = tag_end.end;
    if (root) root_attributes_left -= std::min(root_attributes_left, tag_end.attributes);
    if (tag_end.cut != std::string_view::npos) {
      if (!out) out.emplace().reserve(html.size());
      copy_to(tag_start);
      omit_begin = tag_end.cut;
      // The '>' stays: an unterminated tag must stay unterminated (the tokenizer drops it).
      omit_end = tag_end.closed ? pos - 1 : pos;
    }
    if (end_tag) {
      model.end_tag(tag);
      continue;
    }
    if (model.in_select() && (tag == GUMBO_TAG_SELECT || tag == GUMBO_TAG_INPUT ||
                              tag == GUMBO_TAG_KEYGEN || tag == GUMBO_TAG_TEXTAREA)) {
      model.end_tag(GUMBO_TAG_SELECT);  // these end an open <select>; a nested one does no more
      if (tag == GUMBO_TAG_SELECT) continue;
    }
    // In a <select>, Gumbo ignores most start tags, including raw-text ones (but not <script>,
    // and <textarea> closes the select).
    const bool raw_text =
        is_in(tag, kRawTextTags) &&
        (!model.in_select() || tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_TEXTAREA);
    if (raw_text) {
      pos = text_start = skip_raw_text(html, pos, name);
      continue;
    }
    if (tag == GUMBO_TAG_PLAINTEXT && !model.in_select()) break;  // the rest is text
    if (is_in(tag, kSingletonTags)) continue;
    if (reconstructs(tag) && !charge(model.reconstruct(), tag_start)) break;
    if (is_in(tag, kVoidTags)) continue;
    model.close_implied(tag);
    const bool fits = model.depth() < max_depth &&
                      (!is_in(tag, kFormattingTags) ||
                       model.active_formatting_elements() < kMaxActiveFormattingElements);
    if (fits) {
      const std::size_t attributes_end = html[pos - 1] == '>' ? pos - 1 : pos;
      model.push(tag, html.substr(name_end, attributes_end - name_end));
      continue;
    }
    if (!out) out.emplace().reserve(html.size());
    copy_to(tag_start);
    copied = pos;
  }
  if (cut == html.size() && !out) return std::nullopt;
  if (!out) out.emplace();
  copy_to(cut);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Gumbo memory.

// Gumbo 0.10.1's gumbo_destroy_output frees the tree recursively, one stack frame per level, and
// so crashes on deep trees (a worker thread's stack runs out; the pre-scan's model is
// approximate and adoption-agency tricks can nest deeper than it thinks). The tree is therefore
// never freed by Gumbo: every Gumbo allocation carries a list link, and the arena frees whatever
// is still allocated in one flat walk, whatever the shape of the tree. Not thread-safe; one arena
// per parse.
class GumboArena {
 public:
  GumboArena() = default;
  GumboArena(const GumboArena&) = delete;
  GumboArena& operator=(const GumboArena&) = delete;
  ~GumboArena() {
    while (head_ != nullptr) {
      Header* next = head_->next;
      // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
      std::free(head_);  // pairs with allocate's malloc
      head_ = next;
    }
  }

  // Gumbo's allocator callbacks; `arena` is GumboOptions::userdata.
  static void* allocate(void* arena, std::size_t size) {
    // Gumbo's allocator contract is malloc's; the arena is the owner.
    // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
    auto* header = static_cast<Header*>(std::malloc(sizeof(Header) + size));
    if (header == nullptr) return nullptr;
    auto& self = *static_cast<GumboArena*>(arena);
    header->prev = nullptr;
    header->next = self.head_;
    if (self.head_ != nullptr) self.head_->prev = header;
    self.head_ = header;
    return header + 1;
  }

  static void deallocate(void* arena, void* ptr) {
    if (ptr == nullptr) return;
    auto& self = *static_cast<GumboArena*>(arena);
    Header* header = static_cast<Header*>(ptr) - 1;
    if (header->prev != nullptr) header->prev->next = header->next;
    if (header->next != nullptr) header->next->prev = header->prev;
    if (self.head_ == header) self.head_ = header->next;
    // NOLINTNEXTLINE(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory)
    std::free(header);  // pairs with allocate's malloc
  }

 private:
  // max_align_t alignment keeps the block after the header as aligned as malloc's.
  struct alignas(std::max_align_t) Header {
    Header* prev;
    Header* next;
  };

  Header* head_ = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Extraction.

// Accumulates text with whitespace runs collapsed and trimmed, up to a byte cap.
class TextSink {
 public:
  explicit TextSink(std::size_t cap) : cap_(cap) {}

  void append(std::string_view text) {
    std::string repaired;
    if (!is_valid_utf8(text)) {
      repaired = replace_invalid_utf8(text);
      text = repaired;
    }
    std::size_t i = 0;
    while (i < text.size() && !full_) {
      if (is_ascii_space(text[i])) {
        if (pending_ == '\0') pending_ = ' ';
        ++i;
        continue;
      }
      const std::size_t start = i;
      while (i < text.size() && !is_ascii_space(text[i])) ++i;
      emit(text.substr(start, i - start));
    }
  }

  // A boundary between blocks: a newline wins over a space.
  void add_break(char separator) {
    if (separator == '\n' || pending_ == '\0') pending_ = separator;
  }

  bool full() const { return full_; }
  std::string take() { return std::move(out_); }

 private:
  void emit(std::string_view word) {
    // Separators are only written between words, which trims both ends for free.
    const std::size_t separator = (pending_ != '\0' && !out_.empty()) ? 1 : 0;
    std::size_t fits = word.size();
    if (out_.size() + separator + word.size() > cap_) {
      full_ = true;
      const std::size_t room = cap_ - std::min(cap_, out_.size() + separator);
      fits = room;
      // Never cut a multi-byte character: back up to the start of the one that does not fit.
      while (fits > 0 && (static_cast<unsigned char>(word[fits]) & 0xC0) == 0x80) --fits;
      if (fits == 0) return;
    }
    if (separator != 0) out_.push_back(pending_);
    out_.append(word.substr(0, fits));
    pending_ = '\0';
  }

  std::string out_;
  std::size_t cap_;
  char pending_ = '\0';
  bool full_ = false;
};

// Gumbo reads a numeric character reference that overflows its int ("&#x800000BC;") as a
// negative code point and writes its low byte as is, so text and attribute values taken from its
// tree are not always valid UTF-8 (the spec says U+FFFD, as for any value past U+10FFFF).
std::string valid_utf8(std::string_view s) {
  return is_valid_utf8(s) ? std::string(s) : replace_invalid_utf8(s);
}

std::string_view attribute_value(const GumboElement& element, const char* name) {
  const GumboAttribute* attribute = gumbo_get_attribute(&element.attributes, name);
  return attribute == nullptr ? std::string_view() : std::string_view(attribute->value);
}

bool has_attribute(const GumboElement& element, const char* name) {
  return gumbo_get_attribute(&element.attributes, name) != nullptr;
}

bool is_renamed_foreign_root(const GumboElement& element) {
  if (element.tag != GUMBO_TAG_UNKNOWN || element.original_tag.data == nullptr) return false;
  // The tag's source text, "<x-svg ...>". Parsed here rather than with
  // gumbo_tag_from_original_text, which asserts on anything unexpected.
  const std::string_view source(element.original_tag.data, element.original_tag.length);
  if (!source.starts_with('<')) return false;
  std::size_t end = 1;
  while (end < source.size() && !is_tag_name_end(source[end])) ++end;
  const std::string_view name = source.substr(1, end - 1);
  return equals_ignore_case(name, "x-svg") || equals_ignore_case(name, "x-math");
}

// Text content never shown: excluded from ParsedPage::text, with everything below it.
constexpr TagSet kHiddenTextTags = {GUMBO_TAG_HEAD,     GUMBO_TAG_SCRIPT,   GUMBO_TAG_STYLE,
                                    GUMBO_TAG_NOSCRIPT, GUMBO_TAG_TEMPLATE, GUMBO_TAG_TITLE,
                                    GUMBO_TAG_IFRAME,   GUMBO_TAG_NOEMBED,  GUMBO_TAG_NOFRAMES};

// Elements that start a new line of text.
constexpr TagSet kBlockTags = {
    GUMBO_TAG_ADDRESS,  GUMBO_TAG_ARTICLE, GUMBO_TAG_ASIDE,     GUMBO_TAG_BLOCKQUOTE,
    GUMBO_TAG_BODY,     GUMBO_TAG_BR,      GUMBO_TAG_CAPTION,   GUMBO_TAG_CENTER,
    GUMBO_TAG_DD,       GUMBO_TAG_DETAILS, GUMBO_TAG_DIR,       GUMBO_TAG_DIV,
    GUMBO_TAG_DL,       GUMBO_TAG_DT,      GUMBO_TAG_FIELDSET,  GUMBO_TAG_FIGCAPTION,
    GUMBO_TAG_FIGURE,   GUMBO_TAG_FOOTER,  GUMBO_TAG_FORM,      GUMBO_TAG_FRAMESET,
    GUMBO_TAG_H1,       GUMBO_TAG_H2,      GUMBO_TAG_H3,        GUMBO_TAG_H4,
    GUMBO_TAG_H5,       GUMBO_TAG_H6,      GUMBO_TAG_HEADER,    GUMBO_TAG_HGROUP,
    GUMBO_TAG_HR,       GUMBO_TAG_LEGEND,  GUMBO_TAG_LI,        GUMBO_TAG_LISTING,
    GUMBO_TAG_MAIN,     GUMBO_TAG_MENU,    GUMBO_TAG_NAV,       GUMBO_TAG_OL,
    GUMBO_TAG_OPTION,   GUMBO_TAG_P,       GUMBO_TAG_PLAINTEXT, GUMBO_TAG_PRE,
    GUMBO_TAG_SECTION,  GUMBO_TAG_SUMMARY, GUMBO_TAG_TABLE,     GUMBO_TAG_TBODY,
    GUMBO_TAG_TEXTAREA, GUMBO_TAG_TFOOT,   GUMBO_TAG_THEAD,     GUMBO_TAG_TR,
    GUMBO_TAG_UL,       GUMBO_TAG_XMP};

// Elements separated from their neighbours by a space only.
constexpr TagSet kCellTags = {GUMBO_TAG_TD, GUMBO_TAG_TH};

// Where a node's markup starts in the input (0 for the document).
unsigned int source_offset(const GumboNode& node) {
  switch (node.type) {
    case GUMBO_NODE_ELEMENT:
    case GUMBO_NODE_TEMPLATE:
      return node.v.element.start_pos.offset;
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_CDATA:
    case GUMBO_NODE_WHITESPACE:
    case GUMBO_NODE_COMMENT:
      return node.v.text.start_pos.offset;
    case GUMBO_NODE_DOCUMENT:
      break;
  }
  return 0;
}

class Extractor {
 public:
  Extractor(const ParseOptions& options, ParsedPage& page, TreeFacts* facts)
      : options_(options), page_(page), text_(options.max_text), facts_(facts) {}

  // Walks the tree with an explicit stack: the depth of a Gumbo tree is bounded only by the
  // input, never by the call stack.
  void run(const GumboNode& document) {
    struct Frame {
      const GumboVector* children;
      unsigned int next = 0;
      char separator = '\0';  // written when leaving the element
      bool hides_text = false;
      bool in_foreign_root = false;  // inside a renamed <svg> or <math> (see rename_foreign_roots)
    };
    std::vector<Frame> stack;
    stack.push_back({&document.v.document.children});
    while (!stack.empty()) {
      Frame& frame = stack.back();
      if (frame.next == frame.children->length) {
        if (frame.hides_text) --hidden_depth_;
        if (frame.separator != '\0') text_.add_break(frame.separator);
        stack.pop_back();
        continue;
      }
      const auto& node = *static_cast<const GumboNode*>(frame.children->data[frame.next++]);
      if (facts_ != nullptr) note_facts(node, *frame.children, frame.next - 1);
      switch (node.type) {
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE:
          if (options_.want_text && hidden_depth_ == 0 && !text_.full()) {
            text_.append(node.v.text.text);
          }
          break;
        case GUMBO_NODE_ELEMENT: {
          const GumboElement& element = node.v.element;
          const GumboTag tag = element.tag;
          Frame child{&element.children};
          child.in_foreign_root = frame.in_foreign_root || is_renamed_foreign_root(element);
          // What was SVG or MathML keeps its old meaning: its <title> is no page title and its
          // <a> no page link.
          if (!child.in_foreign_root) visit(element);
          child.hides_text = is_in(tag, kHiddenTextTags);
          if (is_in(tag, kBlockTags)) child.separator = '\n';
          if (is_in(tag, kCellTags)) child.separator = ' ';
          if (child.separator != '\0') text_.add_break(child.separator);
          if (child.hides_text) ++hidden_depth_;
          stack.push_back(child);  // invalidates `frame`
          break;
        }
        case GUMBO_NODE_TEMPLATE:  // inert content: neither text nor links
        case GUMBO_NODE_COMMENT:
        case GUMBO_NODE_DOCUMENT:
          break;
      }
    }
    if (options_.want_text) page_.text = text_.take();
  }

 private:
  // `node` is `siblings[index]`.
  void note_facts(const GumboNode& node, const GumboVector& siblings, unsigned int index) {
    if (node.type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& element = node.v.element;
    // Gumbo 0.10.1 never sets GUMBO_INSERTION_FOSTER_PARENTED: a node moved out of a table is
    // found as a sibling in front of the table that comes after the table's start tag.
    if (element.tag == GUMBO_TAG_TABLE && index > 0) {
      const auto& before = *static_cast<const GumboNode*>(siblings.data[index - 1]);
      if (source_offset(before) > element.start_pos.offset) facts_->foster_parented = true;
    }
    constexpr int kCloned =
        GUMBO_INSERTION_ADOPTION_AGENCY_CLONED | GUMBO_INSERTION_RECONSTRUCTED_FORMATTING_ELEMENT;
    if (element.tag == GUMBO_TAG_A && (node.parse_flags & kCloned) != 0) {
      facts_->cloned_anchor = true;
    }
    if (is_renamed_foreign_root(element)) facts_->foreign_root = true;
    for (unsigned int i = 0; i < element.attributes.length; ++i) {
      const auto& attribute = *static_cast<const GumboAttribute*>(element.attributes.data[i]);
      const std::string_view name(attribute.original_name.data, attribute.original_name.length);
      // Gumbo leaves a NUL that starts a name out of the name's source text: look before it.
      // (An attribute's name never starts the input, so data[-1] is in the buffer.)
      if (name.find('\0') != std::string_view::npos ||
          (name.data() != nullptr && name.data()[-1] == '\0')) {
        facts_->nul_in_attribute_name = true;
      }
    }
  }

  void visit(const GumboElement& element) {
    if (element.tag_namespace != GUMBO_NAMESPACE_HTML) return;
    switch (element.tag) {
      case GUMBO_TAG_A:
        add_link(attribute_value(element, "href"), LinkSource::kAnchor, rel_nofollow(element));
        break;
      case GUMBO_TAG_AREA:
        add_link(attribute_value(element, "href"), LinkSource::kArea, rel_nofollow(element));
        break;
      case GUMBO_TAG_LINK:
        visit_link(element);
        break;
      case GUMBO_TAG_IFRAME:
        add_link(attribute_value(element, "src"), LinkSource::kIframe, false);
        break;
      case GUMBO_TAG_FRAME:
        add_link(attribute_value(element, "src"), LinkSource::kFrame, false);
        break;
      case GUMBO_TAG_BASE:
        if (!seen_base_ && has_attribute(element, "href")) {
          seen_base_ = true;
          page_.base_href = valid_utf8(trim_ascii_space(attribute_value(element, "href")));
        }
        break;
      case GUMBO_TAG_META:
        visit_meta(element);
        break;
      case GUMBO_TAG_TITLE:
        if (!seen_title_) {
          seen_title_ = true;
          page_.title = title_text(element);
        }
        break;
      default:
        break;
    }
  }

  static bool rel_nofollow(const GumboElement& element) {
    return has_token(attribute_value(element, "rel"), {"nofollow"});
  }

  void visit_link(const GumboElement& element) {
    const std::string_view rel = attribute_value(element, "rel");
    if (const auto source = html::link_rel_source(rel)) {
      add_link(attribute_value(element, "href"), *source, has_token(rel, {"nofollow"}));
    }
  }

  void visit_meta(const GumboElement& element) {
    if (equals_ignore_case(trim_ascii_space(attribute_value(element, "name")), "robots")) {
      html::apply_robots_meta(attribute_value(element, "content"), page_);
    }
    if (!page_.meta_charset.empty()) return;
    if (has_attribute(element, "charset")) {
      page_.meta_charset = ascii_lower_copy(trim_ascii_space(attribute_value(element, "charset")));
    } else if (equals_ignore_case(trim_ascii_space(attribute_value(element, "http-equiv")),
                                  "content-type")) {
      page_.meta_charset = charset_from_meta_content(attribute_value(element, "content"));
    }
  }

  static std::string title_text(const GumboElement& title) {
    // <title> is RCDATA: its children are text nodes only, so no walk is needed.
    TextSink sink(kMaxTitleBytes);
    for (unsigned int i = 0; i < title.children.length && !sink.full(); ++i) {
      const auto& child = *static_cast<const GumboNode*>(title.children.data[i]);
      if (child.type == GUMBO_NODE_TEXT || child.type == GUMBO_NODE_WHITESPACE) {
        sink.append(child.v.text.text);
      }
    }
    return sink.take();
  }

  void add_link(std::string_view href, LinkSource source, bool nofollow) {
    href = trim_ascii_space(href);
    if (href.empty()) return;
    if (page_.links.size() >= options_.max_links) {
      page_.links_truncated = true;
      return;
    }
    page_.links.push_back(RawLink{valid_utf8(href), source, nofollow});
  }

  const ParseOptions& options_;
  ParsedPage& page_;
  TextSink text_;
  std::size_t hidden_depth_ = 0;  // open elements that hide text
  bool seen_base_ = false;
  bool seen_title_ = false;
  TreeFacts* facts_;  // null unless the caller asked
};

}  // namespace

namespace {

ParsedPage parse_html_reporting(std::string_view utf8_html, const ParseOptions& options,
                                TreeFacts* facts) {
  // Gumbo keeps offsets in unsigned int.
  utf8_html = utf8_html.substr(0, std::numeric_limits<unsigned int>::max());
  ParsedPage page;
  const std::optional<std::string> renamed = rename_foreign_roots(utf8_html);
  if (renamed) utf8_html = *renamed;
  const std::optional<std::string> limited =
      limit_markup(utf8_html, options.max_depth,
                   kCloneAllowanceBytes + kCloneBytesPerInputByte * utf8_html.size());
  if (limited) {
    page.markup_limited = true;
    utf8_html = *limited;
  }

  // Owns every Gumbo allocation, the tree included (which points into utf8_html's buffer).
  GumboArena arena;
  GumboOptions gumbo_options = kGumboDefaultOptions;
  gumbo_options.allocator = &GumboArena::allocate;
  gumbo_options.deallocator = &GumboArena::deallocate;
  gumbo_options.userdata = &arena;
  gumbo_options.max_errors = 0;  // the error list is never read; recording it costs memory
  const GumboOutput* output =
      gumbo_parse_with_options(&gumbo_options, utf8_html.data(), utf8_html.size());
  if (output == nullptr || output->document == nullptr) return page;

  Extractor(options, page, facts).run(*output->document);
  return page;
}

}  // namespace

ParsedPage parse_html(std::string_view utf8_html, const ParseOptions& options) {
  return parse_html_reporting(utf8_html, options, nullptr);
}

ParsedPage parse_html(std::string_view utf8_html, const ParseOptions& options, TreeFacts& facts) {
  facts = TreeFacts{};
  return parse_html_reporting(utf8_html, options, &facts);
}

}  // namespace crawler
