// The fast path for links: a streaming scan of HTML that extracts what parse_html() extracts,
// except the text, without building a tree.
//
// parse_html() (Gumbo) builds a full HTML5 tree at some 14 MB/s; a crawler that only needs a
// page's links, base URL, title and robots directives spends most of that building nodes it never
// looks at. scan_links() follows the WHATWG tokenizer for everything that decides what is markup
// and what a link's href is - tags, all attribute quoting forms, duplicate attributes (the first
// wins), character references with the attribute-value rules and the numeric replacement table,
// comments with every early-end form, raw text and RCDATA elements (with the script escape
// states), <plaintext>, bogus comments, doctypes - and skips everything else with memchr. It
// keeps no per-node state; its allocations are the results.
//
// parse_html() is the reference: for ParsedPage::links, base_href, title, meta_nofollow,
// meta_noindex, meta_charset and links_truncated the two agree, byte for byte, on the input
// parse_html() sees (any bytes: invalid UTF-8, control characters and noncharacters become U+FFFD
// and CR/CRLF become LF in extracted values, as in Gumbo; <svg> and <math> are renamed <x-svg>
// and <x-math> the way parse_html() renames them, also inside values). ParsedPage::text stays
// empty; markup_limited stays false.
//
// The tree builder decides a few things a tokenizer has to model, and scan_links() models them:
//  - insertion modes that ignore start tags (and so never switch the tokenizer to raw text):
//    <select> (only <script>, <template>, <option>... count there; <input>, <keygen>,
//    <textarea>, <select> and, in a table, table parts close it), <frameset> and what follows
//    it (only <frame> and <noframes>);
//  - <frame> counts only in a frameset; a <frameset> start tag replaces the body, dropping what
//    was found in it, when the body has not yet seen text or one of the elements that rule that
//    out (the "frameset-ok" flag; an explicit <body> tag rules it out);
//  - <template> contents are inert (no links, title, base or meta), nested templates included;
//  - <svg>/<math> subtrees (renamed to unknown elements) give no links or title: they end at
//    their end tag, unless a special element is in the way, or at an end tag of an element open
//    around them. Start tags closing an open <p>, <li>, <dd> or <dt> outside the svg close it too.
//
// Known differences (tree-construction effects a tokenizer does not reproduce; the differential
// tests exclude exactly these constructs from their generators and show each in a named test):
//  1. Clones of <a>: Gumbo's adoption agency and its reconstruction of active formatting
//     elements copy an <a> that is misnested (<a href=x><div>t</a>) or left open across a block
//     (<li><a href=x>t<li>u), attributes included, so parse_html() reports the link once per
//     copy. scan_links() reports each <a> tag once. The caller deduplicates links anyway; only
//     counts against max_links differ. A copy of an <a> opened inside an <svg> can land outside
//     it, where parse_html() reports it and scan_links() does not.
//  2. Foster parenting: markup placed directly in a <table> (not in a cell) is moved before the
//     table, so parse_html() reports its links (or title, base, meta) earlier than the source
//     order scan_links() uses.
//  3. Inside <svg>/<math>, implicit closes that depend on elements open outside the svg are
//     modelled with counts of open elements, not the stack of open elements.
//  4. Numeric character references beyond 0x7FFFFFFF (after Gumbo's 32-bit arithmetic wraps,
//     "&#x80000000;", "&#4294967295;"): Gumbo emits garbage and may cut the value there;
//     scan_links() decodes them as U+FFFD, as it does every other out-of-range reference.
//  5. A NUL byte in an attribute name: Gumbo keeps it as a C-string end, and whether it then
//     treats two such names as the same (which matters for the repeated-attribute quirk in
//     link_scanner.cc) depends on more than the names; scan_links() treats them as distinct.
//  6. Pages parse_html() defuses (markup_limited: nesting deeper than ParseOptions::max_depth,
//     runaway formatting-element cloning, more than 256 attributes in a tag or on <html> and
//     <body>) are scanned as written.
#pragma once

#include <string_view>

#include "crawler/html/html_parser.h"

namespace crawler {

// Scans UTF-8 HTML (any bytes are safe) for links, title, base href and robots/charset <meta>.
// Uses options.max_links only. Never throws on malformed input; time linear in the input.
ParsedPage scan_links(std::string_view html, const ParseOptions& options);

}  // namespace crawler
