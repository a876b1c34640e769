// The fast path for links: a streaming scan of HTML that extracts what parse_html() extracts,
// except the text, without building a tree.
//
// scan_links() returns, for ParsedPage::links, base_href, title, meta_nofollow, meta_noindex,
// meta_charset and links_truncated, what parse_html() (the reference) returns for the same
// bytes, byte for byte, apart from a few numbered known differences; ParsedPage::text stays
// empty and markup_limited false. It keeps no state between calls, so concurrent calls are safe,
// and no per-node state either: it allocates little beyond the results.
//
// docs/link_scanner.md lists the rules and the known differences.
#pragma once

#include <string_view>

#include "crawler/html/html_parser.h"

namespace crawler {

// Scans UTF-8 HTML (any bytes are safe) for links, title, base href and robots/charset <meta>.
// Uses options.max_links only. Never throws on malformed input; time linear in the input.
ParsedPage scan_links(std::string_view html, const ParseOptions& options);

}  // namespace crawler
