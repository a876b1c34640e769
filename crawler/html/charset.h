// Character encoding detection (Content-Type header, <meta> pre-scan, BOM) and conversion of page
// bytes to UTF-8, the only encoding the HTML parser and the rest of the crawler deal with.
//
// Labels follow the WHATWG Encoding Standard's label table, with one deliberate deviation from it:
// us-ascii is decoded as UTF-8 (the spec says windows-1252) because pages labelled ASCII are in
// practice mostly UTF-8. Labels outside the table (including utf-7 and the WHATWG "replacement"
// labels) decode as UTF-8, so a label can never select a decoder browsers do not have (UTF-7,
// UCS-4).
#pragma once

#include <string>
#include <string_view>

namespace crawler {

// Charset named in a Content-Type header value ("text/html; charset=ISO-8859-1" -> "iso-8859-1"),
// or "" when there is none. The label is trimmed and lowercased but not validated.
std::string charset_from_content_type(std::string_view content_type);

// Charset named in the content attribute of <meta http-equiv=content-type> ("text/html;
// charset=x" -> "x"), following the WHATWG "extracting a character encoding from a meta element"
// algorithm, which is more lenient than header parsing. Lowercased; "" when there is none.
std::string charset_from_meta_content(std::string_view content);

// Cheap pre-scan of the first 1024 bytes for <meta charset=...> / http-equiv content-type
// (WHATWG prescan, simplified), or "". Lowercased. A UTF-16 label is reported as "utf-8", as the
// spec says: a document that can be pre-scanned as ASCII cannot be UTF-16.
std::string sniff_meta_charset(std::string_view html_prefix);

// Converts `bytes` in `charset` to UTF-8 with iconv. For utf-8, us-ascii and "": validates and
// replaces invalid sequences with U+FFFD. A UTF-8 or UTF-16 BOM overrides the label (and is
// removed). Unknown labels are treated as UTF-8 with replacement. iso-8859-1 and latin1 labels are
// decoded as windows-1252 (WHATWG). Never throws; the output is always valid UTF-8.
std::string to_utf8(std::string_view bytes, std::string_view charset);
// The same, taking the buffer: returned as it is when it needs no change.
std::string move_to_utf8(std::string&& bytes, std::string_view charset);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD: to_utf8(s, "utf-8") without the
// byte order mark handling.
std::string replace_invalid_utf8(std::string_view s);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool is_valid_utf8(std::string_view s);

}  // namespace crawler
