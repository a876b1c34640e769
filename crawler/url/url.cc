#include "crawler/url/url.h"

#include <curl/curl.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <system_error>

#include "crawler/util/ascii.h"

namespace crawler {
namespace {

// curl is used for what it does well: validating the authority (host syntax, IPv6 literals,
// port range) and putting the host in canonical form. Its full-URL parser and resolver are not
// used because libcurl 7.88 departs from RFC 3986 where the crawler needs it: it rejects
// URIs without "//" ("mailto:x", "http:g"), drops an empty "?", removes dot segments before
// percent-decoding (so %2E%2E survives), adds "/" to "foo://a", accepts "http:///x" as
// "http://x/", and resolves "" and "#s" against the base directory instead of the base URI.
struct CurlUrlDeleter {
  void operator()(CURLU* handle) const noexcept { curl_url_cleanup(handle); }
};
using CurlUrlPtr = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

constexpr bool is_unreserved(unsigned char c) {
  return is_ascii_alnum(static_cast<char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
}
constexpr bool is_sub_delim(unsigned char c) {
  return std::string_view("!$&'()*+,;=").find(static_cast<char>(c)) != std::string_view::npos;
}
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

bool has_control_char(std::string_view text) {
  return std::ranges::any_of(text,
                             [](char c) { return is_control(static_cast<unsigned char>(c)); });
}
bool has_non_ascii(std::string_view text) {
  return std::ranges::any_of(text, [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool is_valid_scheme(std::string_view scheme) {
  if (scheme.empty() || !is_ascii_alpha(scheme.front())) return false;
  return std::ranges::all_of(
      scheme, [](char c) { return is_ascii_alnum(c) || c == '+' || c == '-' || c == '.'; });
}

int default_port(std::string_view scheme) {
  if (equals_ignore_case(scheme, "http")) return 80;
  if (equals_ignore_case(scheme, "https")) return 443;
  return 0;
}

// The five components of RFC 3986 Appendix B, as views into the parsed text. std::nullopt means
// "undefined", which differs from "empty" ("http://a/?" has an empty query, "http://a/" none).
struct ReferenceView {
  std::optional<std::string_view> scheme;
  std::optional<std::string_view> authority;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> fragment;
};

// find_first_of for a few delimiters: string_view's calls memchr over the set for every byte,
// which was the crawler's biggest single cost after curl.
template <char... Delimiters>
std::size_t find_any(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (((text[i] == Delimiters) || ...)) return i;
  }
  return std::string_view::npos;
}

// ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?  (RFC 3986 Appendix B).
ReferenceView split_reference(std::string_view text) {
  ReferenceView view;
  const std::size_t scheme_end = find_any<':', '/', '?', '#'>(text);
  if (scheme_end != std::string_view::npos && scheme_end > 0 && text[scheme_end] == ':') {
    view.scheme = text.substr(0, scheme_end);
    text.remove_prefix(scheme_end + 1);
  }
  if (text.starts_with("//")) {
    text.remove_prefix(2);
    const std::size_t end = std::min(find_any<'/', '?', '#'>(text), text.size());
    view.authority = text.substr(0, end);
    text.remove_prefix(end);
  }
  if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
    view.fragment = text.substr(hash + 1);
    text = text.substr(0, hash);
  }
  if (const std::size_t question = text.find('?'); question != std::string_view::npos) {
    view.query = text.substr(question + 1);
    text = text.substr(0, question);
  }
  view.path = text;
  return view;
}

// RFC 3986 5.3.
std::string recompose(const ReferenceView& view) {
  std::string out;
  if (view.scheme) out.append(*view.scheme).push_back(':');
  if (view.authority) out.append("//").append(*view.authority);
  // Without an authority, a path starting with "//" would be read back as an authority
  // ("foo:/.//x" after dot removal); the "/." prefix (as in WHATWG URL) keeps it a path.
  if (!view.authority && view.path.starts_with("//")) out.append("/.");
  out.append(view.path);
  if (view.query) out.append("?").append(*view.query);
  if (view.fragment) out.append("#").append(*view.fragment);
  return out;
}

// RFC 3986 5.2.4, the output appended to `output`, whose earlier content is left alone (so a
// resolved link is written in place, without a temporary string).
void append_without_dot_segments(std::string_view input, std::string& output) {
  const std::size_t start = output.size();
  const auto drop_last_output_segment = [&output, start] {
    const std::size_t slash = output.rfind('/');
    output.erase(slash == std::string::npos || slash < start ? start : slash);
  };
  while (!input.empty()) {
    if (input.starts_with("../")) {
      input.remove_prefix(3);
    } else if (input.starts_with("./") || input.starts_with("/./")) {
      input.remove_prefix(2);
    } else if (input == "/.") {
      input = "/";
    } else if (input.starts_with("/../")) {
      input.remove_prefix(3);
      drop_last_output_segment();
    } else if (input == "/..") {
      input = "/";
      drop_last_output_segment();
    } else if (input == "." || input == "..") {
      input = {};
    } else {
      const std::size_t next = input.find('/', input.front() == '/' ? 1 : 0);
      const std::size_t length = std::min(next, input.size());
      output.append(input.substr(0, length));
      input.remove_prefix(length);
    }
  }
}

std::string remove_dot_segments(std::string_view input) {
  std::string output;
  output.reserve(input.size());
  append_without_dot_segments(input, output);
  return output;
}

// RFC 3986 5.2.3.
std::string merge_paths(const ReferenceView& base, std::string_view ref_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(ref_path);
  const std::size_t slash = base.path.rfind('/');
  if (slash == std::string_view::npos) return std::string(ref_path);
  return std::string(base.path.substr(0, slash + 1)).append(ref_path);
}

void append_percent_encoded(std::string& out, unsigned char byte) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[byte >> 4]);
  out.push_back(kHex[byte & 0x0F]);
}

// Characters a path or query may hold unencoded. '[' and ']' are not allowed by RFC 3986 but
// are left alone, as browsers do, because servers read raw brackets in keys such as "a[]=1".
constexpr bool allowed_raw_in_path_or_query(unsigned char c) {
  return is_unreserved(c) || is_sub_delim(c) || c == ':' || c == '@' || c == '/' || c == '?' ||
         c == '[' || c == ']';
}

// Percent-encoding normalisation of a path or query (RFC 3986 6.2.2.1 and 6.2.2.2): decodes
// unreserved characters, uppercases the hex of the triplets that stay, and encodes bytes that
// cannot appear raw (space, non-ASCII, "<>{}..."). A '%' that does not start a triplet becomes
// %25: left raw, it could form a new triplet with decoded characters ("%%341" -> "%41"), and
// normalisation would not be idempotent.
std::string normalize_percent_encoding(std::string_view component) {
  std::string out;
  out.reserve(component.size());
  for (std::size_t i = 0; i < component.size(); ++i) {
    const auto c = static_cast<unsigned char>(component[i]);
    if (c == '%' && i + 2 < component.size() && is_ascii_hex_digit(component[i + 1]) &&
        is_ascii_hex_digit(component[i + 2])) {
      const auto decoded = static_cast<unsigned char>(hex_digit_value(component[i + 1]) * 16 +
                                                      hex_digit_value(component[i + 2]));
      if (is_unreserved(decoded)) {
        out.push_back(static_cast<char>(decoded));
      } else {
        out.push_back('%');
        out.push_back(ascii_upper(component[i + 1]));
        out.push_back(ascii_upper(component[i + 2]));
      }
      i += 2;
    } else if (allowed_raw_in_path_or_query(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      append_percent_encoded(out, c);
    }
  }
  return out;
}

std::optional<std::string> get_curl_part(CURLU* handle, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(handle, part, &raw, 0) != CURLUE_OK) return std::nullopt;
  const CurlString owned(raw);
  return std::string(owned.get());
}

// curl percent-decodes the host ("x%25y" comes back as "x%y"), which would not survive being
// written back into a URL, so its answer is checked against RFC 3986 host syntax.
bool is_valid_canonical_host(std::string_view host) {
  if (host.starts_with('[')) {
    return host.size() > 2 && host.ends_with(']') &&
           std::ranges::all_of(host.substr(1, host.size() - 2), [](char c) {
             return is_ascii_hex_digit(c) || c == ':' || c == '.';
           });
  }
  return std::ranges::all_of(host, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return is_unreserved(u) || is_sub_delim(u);
  });
}

struct HostAndPort {
  std::string host;                 // lowercase; empty only where curl allows it (file:///)
  std::optional<std::string> port;  // absent when missing or empty (":")
};

// The common case without curl: an authority that is already canonical, i.e. a lowercase
// registered name of letters, digits, '-' and inner dots whose last label has a letter (so it
// cannot be read as an IPv4 number), or a dotted quad of canonical decimal octets, optionally
// followed by ":" and a port of 1 to 5 digits without a leading zero, at most 65535. For such
// input curl returns the host and the port unchanged (url_test checks both paths agree); every
// other authority (userinfo, upper case, IPv6, percent-encoding, numeric shorthands, empty
// labels) takes the curl path. Resolving a page's links checks the same few authorities again
// and again, and going through curl each time was a tenth of the crawler's CPU.
std::optional<HostAndPort> canonical_authority(std::string_view authority) {
  std::string_view host = authority;
  std::optional<std::string> port;
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    const std::string_view digits = authority.substr(colon + 1);
    // from_chars, not stoul: this runs for every link, and a temporary string each time showed.
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || digits.size() > 5 || digits.front() == '0' || error != std::errc() ||
        end != digits.data() + digits.size() || value > 65535) {
      return std::nullopt;
    }
    port = std::string(digits);
    host = authority.substr(0, colon);
  }
  if (host.empty() || host.size() > 253) return std::nullopt;
  int labels = 0;
  bool all_numeric = true;
  bool last_has_letter = false;
  std::size_t start = 0;
  while (start <= host.size()) {
    const std::size_t dot = std::min(host.find('.', start), host.size());
    const std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        label.starts_with("0x")) {  // "0x7f" is a hexadecimal IPv4 part to curl
      return std::nullopt;
    }
    bool numeric = true;
    last_has_letter = false;
    for (const char c : label) {
      if (c >= 'a' && c <= 'z') {
        last_has_letter = true;
        numeric = false;
      } else if (c == '-') {
        numeric = false;
      } else if (!is_ascii_digit(c)) {
        return std::nullopt;
      }
    }
    unsigned octet = 0;
    if (numeric) std::from_chars(label.data(), label.data() + label.size(), octet);
    if (numeric &&
        (label.size() > 3 || (label.size() > 1 && label.front() == '0') || octet > 255)) {
      return std::nullopt;
    }
    all_numeric = all_numeric && numeric;
    ++labels;
    start = dot + 1;
  }
  if (!last_has_letter && !(all_numeric && labels == 4)) return std::nullopt;
  return HostAndPort{std::string(host), std::move(port)};
}

// RFC 6874: ZoneID = 1*( unreserved / pct-encoded ).
bool is_valid_zone_id(std::string_view zone) {
  if (zone.empty()) return false;
  for (std::size_t i = 0; i < zone.size(); ++i) {
    if (is_unreserved(static_cast<unsigned char>(zone[i]))) continue;
    if (zone[i] != '%' || i + 2 >= zone.size() || !is_ascii_hex_digit(zone[i + 1]) ||
        !is_ascii_hex_digit(zone[i + 2])) {
      return false;
    }
    i += 2;
  }
  return true;
}

// Validates an authority with curl and returns its host in canonical form (lowercase, IPv4
// shorthand expanded, percent-decoded) and its port.
std::optional<HostAndPort> parse_authority(std::string_view scheme, std::string_view authority) {
  if (auto canonical = canonical_authority(authority)) return canonical;
  // IDNA is out of scope, and curl's punycode conversion depends on the process locale.
  if (has_non_ascii(authority)) return std::nullopt;
  const CurlUrlPtr handle(curl_url());
  if (!handle) return std::nullopt;
  std::string probe(scheme);
  probe.append("://").append(authority).push_back('/');
  if (curl_url_set(handle.get(), CURLUPART_URL, probe.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
      CURLUE_OK) {
    return std::nullopt;
  }
  HostAndPort result;
  result.host = ascii_lower_copy(get_curl_part(handle.get(), CURLUPART_HOST).value_or(""));
  if (!is_valid_canonical_host(result.host)) return std::nullopt;
  // curl reads the host as an IPv4 address before it percent-decodes it, so "0%35" comes back
  // as "05", which is 0.0.0.5 when parsed again: a decoded host (never '%' after the check
  // above, unless IPv6) goes through once more, or normalisation would not be idempotent.
  if (authority.find('%') != std::string_view::npos && !result.host.empty() &&
      !result.host.starts_with('[')) {
    const std::optional<HostAndPort> decoded = parse_authority(scheme, result.host);
    if (!decoded) return std::nullopt;
    result.host = decoded->host;
  }
  // curl reports an IPv6 zone separately; it is an interface name, so its case is kept. curl
  // copies any bytes up to ']' into it, '@' and ':' included, which would make the host
  // ambiguous with userinfo and port: RFC 6874 allows only unreserved characters and escapes.
  if (auto zone = get_curl_part(handle.get(), CURLUPART_ZONEID); zone && !result.host.empty()) {
    if (!is_valid_zone_id(*zone)) return std::nullopt;
    result.host.insert(result.host.size() - 1, "%25" + *zone);
  }
  result.port = get_curl_part(handle.get(), CURLUPART_PORT);
  return result;
}

// The first '@' ends the userinfo, as in curl's own split: the host curl validated is what follows
// it, so the userinfo kept must be what precedes it.
std::optional<std::string_view> userinfo_of(std::string_view authority) {
  const std::size_t at = authority.find('@');
  if (at == std::string_view::npos) return std::nullopt;
  return authority.substr(0, at);
}

}  // namespace

std::optional<std::string> normalize_url(std::string_view url) {
  if (url.size() > kMaxUrlLength || has_control_char(url)) return std::nullopt;
  const ReferenceView input = split_reference(url);
  if (!input.scheme || !is_valid_scheme(*input.scheme)) return std::nullopt;
  const std::string scheme = ascii_lower_copy(*input.scheme);
  const bool http = is_http_scheme(scheme);

  std::optional<std::string> authority;
  if (input.authority) {
    const std::optional<HostAndPort> host_and_port = parse_authority(scheme, *input.authority);
    if (!host_and_port || (http && host_and_port->host.empty())) return std::nullopt;
    authority.emplace();
    if (const auto userinfo = userinfo_of(*input.authority)) authority->append(*userinfo) += '@';
    authority->append(host_and_port->host);
    const std::string& port = host_and_port->port.value_or("");
    if (!port.empty() && !(http && port == std::to_string(default_port(scheme)))) {
      authority->append(":").append(port);
    }
  } else if (http) {
    return std::nullopt;  // "http:g" names no host to fetch
  }

  std::string path = normalize_percent_encoding(input.path);
  // A rootless path ("mailto:a/../b", "javascript:...") is opaque data, not a hierarchy.
  if (path.starts_with('/')) path = remove_dot_segments(path);
  if (http && path.empty()) path.push_back('/');  // not `= "/"`: a false -Wrestrict in GCC 12
  std::optional<std::string> query;
  if (input.query) query = normalize_percent_encoding(*input.query);

  ReferenceView output;
  output.scheme = scheme;
  output.authority = authority;
  output.path = path;
  output.query = query;
  std::string normalized = recompose(output);
  if (normalized.size() > kMaxUrlLength) return std::nullopt;
  return normalized;
}

std::optional<std::string> resolve_reference(std::string_view base, std::string_view ref) {
  if (base.size() > kMaxUrlLength || ref.size() > kMaxUrlLength || has_control_char(base) ||
      has_control_char(ref)) {
    return std::nullopt;
  }
  const ReferenceView b = split_reference(base);
  if (!b.scheme || !is_valid_scheme(*b.scheme)) return std::nullopt;
  if (b.authority && !parse_authority(*b.scheme, *b.authority)) return std::nullopt;
  const ReferenceView r = split_reference(ref);
  if (r.scheme && !is_valid_scheme(*r.scheme)) return std::nullopt;

  // RFC 3986 5.2.2 with strict = true.
  ReferenceView t;
  std::string path;
  if (r.scheme) {
    t.scheme = r.scheme;
    t.authority = r.authority;
    path = remove_dot_segments(r.path);
    t.query = r.query;
  } else {
    if (r.authority) {
      t.authority = r.authority;
      path = remove_dot_segments(r.path);
      t.query = r.query;
    } else {
      if (r.path.empty()) {
        path = b.path;
        t.query = r.query ? r.query : b.query;
      } else {
        path = remove_dot_segments(r.path.starts_with('/') ? std::string(r.path)
                                                           : merge_paths(b, r.path));
        t.query = r.query;
      }
      t.authority = b.authority;
    }
    t.scheme = b.scheme;
  }
  t.fragment = r.fragment;
  t.path = path;

  if (t.authority && !parse_authority(*t.scheme, *t.authority)) return std::nullopt;
  std::string resolved = recompose(t);
  if (resolved.size() > kMaxUrlLength) return std::nullopt;
  return resolved;
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view ref) {
  const std::optional<std::string> resolved = resolve_reference(base, trim_ascii_space(ref));
  if (!resolved) return std::nullopt;
  return normalize_url(*resolved);
}

std::optional<UrlView> split_url_view(std::string_view normalized_url) {
  const ReferenceView view = split_reference(normalized_url);
  if (!view.scheme || !view.authority) return std::nullopt;
  std::string_view host_and_port = *view.authority;
  if (const auto userinfo = userinfo_of(host_and_port)) {
    host_and_port.remove_prefix(userinfo->size() + 1);
  }
  // An IPv6 literal contains ':', so the port separator is searched after its ']'.
  std::size_t host_end = 0;
  if (host_and_port.starts_with('[')) {
    host_end = host_and_port.find(']');
    if (host_end == std::string_view::npos) return std::nullopt;
    ++host_end;
  }
  const std::size_t colon = host_and_port.find(':', host_end);
  const std::string_view host = host_and_port.substr(0, colon);
  // Anything between "]" and ":" (or the end) is malformed.
  if (host.empty() || (host_end != 0 && host.size() != host_end)) return std::nullopt;

  UrlView parts;
  parts.scheme = *view.scheme;
  parts.host = host;
  parts.port = default_port(parts.scheme);
  if (colon != std::string_view::npos && colon + 1 < host_and_port.size()) {
    const std::string_view digits = host_and_port.substr(colon + 1);
    int port = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (error != std::errc() || end != digits.data() + digits.size() || port < 0 || port > 65535 ||
        !is_ascii_digit(digits.front())) {
      return std::nullopt;
    }
    parts.port = port;
  }
  // Path and query are adjacent in the text ("/a?b"); the fragment is left out.
  const std::string_view end_part = view.query ? *view.query : view.path;
  parts.path_and_query = std::string_view(
      view.path.data(),
      static_cast<std::size_t>(end_part.data() + end_part.size() - view.path.data()));
  return parts;
}

std::optional<UrlParts> split_url(std::string_view normalized_url) {
  const std::optional<UrlView> view = split_url_view(normalized_url);
  if (!view) return std::nullopt;
  return UrlParts{std::string(view->scheme), std::string(view->host), view->port,
                  std::string(view->path_and_query)};
}

UrlView view_of(const UrlParts& parts) {
  return UrlView{parts.scheme, parts.host, parts.port, parts.path_and_query};
}

std::string url_origin(const UrlView& parts) {
  std::string origin;
  origin.reserve(parts.scheme.size() + 3 + parts.host.size() + 6);
  origin.append(parts.scheme).append("://").append(parts.host);
  if (parts.port != default_port(parts.scheme))
    origin.append(":").append(std::to_string(parts.port));
  return origin;
}

std::string url_origin(const UrlParts& parts) { return url_origin(view_of(parts)); }

namespace {

// The bytes normalize_url keeps as they are in a path or query, less the brackets (kept raw but
// not valid RFC 3986): a link made of these needs no percent-encoding work.
constexpr std::array<bool, 256> kPlainTable = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const auto byte = static_cast<unsigned char>(c);
    table[c] = allowed_raw_in_path_or_query(byte) && byte != '[' && byte != ']';
  }
  return table;
}();

bool is_plain(std::string_view text) {
  return std::ranges::all_of(text,
                             [](char c) { return kPlainTable[static_cast<unsigned char>(c)]; });
}

// Appends `path` without its dot segments. Paths here start with '/', and on those
// remove_dot_segments only changes something where a segment starts with '.'.
void append_path(std::string_view path, std::string& out) {
  if (path.find("/.") == std::string_view::npos) {
    out.append(path);
  } else {
    append_without_dot_segments(path, out);
  }
}

}  // namespace

LinkResolver::LinkResolver(std::string base) : base_(std::move(base)) {
  const std::string_view b = base_;
  const std::size_t scheme_end = b.find("://");
  if (scheme_end == std::string_view::npos) return;
  const std::string_view scheme = b.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return;
  const std::size_t path_start = b.find('/', scheme_end + 3);
  if (path_start == std::string_view::npos) return;
  const std::string_view authority = b.substr(scheme_end + 3, path_start - scheme_end - 3);
  // The fast path copies parts of the base as they are, so they must be normalised already;
  // one normalisation per page is cheap next to the links.
  if (authority.empty() || authority.find('@') != std::string_view::npos || normalize_url(b) != b) {
    return;
  }
  authority_end_ = path_start;
  path_end_ = std::min(b.find('?', path_start), b.size());
  directory_end_ = b.rfind('/', path_end_ - 1) + 1;
  fast_ = true;
}

LinkResolver::Fast LinkResolver::append_authority_form(std::string_view scheme,
                                                       std::string_view rest,
                                                       std::string& out) const {
  const std::size_t authority_end = std::min(find_any<'/', '?'>(rest), rest.size());
  const std::optional<HostAndPort> authority = canonical_authority(rest.substr(0, authority_end));
  if (!authority) return Fast::kFallBack;
  out.append(scheme).append("://").append(authority->host);
  if (authority->port && *authority->port != (scheme == "http" ? "80" : "443")) {
    out.append(":").append(*authority->port);
  }
  rest.remove_prefix(authority_end);
  const std::size_t query = std::min(rest.find('?'), rest.size());
  if (query == 0) out.push_back('/');
  append_path(rest.substr(0, query), out);
  out.append(rest.substr(query));
  return Fast::kDone;
}

LinkResolver::Fast LinkResolver::resolve_fast(std::string_view ref, std::string& out) const {
  if (ref.size() > kMaxUrlLength) return Fast::kFallBack;
  const std::size_t hash = ref.find('#');
  const std::string_view main = ref.substr(0, hash);
  if (!is_plain(main)) return Fast::kFallBack;
  const std::size_t fragment_size = hash == std::string_view::npos ? 0 : ref.size() - hash;
  if (fragment_size > 0 && has_control_char(ref.substr(hash))) return Fast::kFallBack;

  Fast verdict = Fast::kDone;
  const std::size_t scheme_end = find_any<':', '/', '?'>(main);
  const std::size_t query = std::min(main.find('?'), main.size());
  if (scheme_end != std::string_view::npos && scheme_end > 0 && main[scheme_end] == ':') {
    const std::string_view scheme = main.substr(0, scheme_end);
    const std::string_view rest = main.substr(scheme_end + 1);
    if ((scheme == "http" || scheme == "https") && rest.starts_with("//")) {
      verdict = append_authority_form(scheme, rest.substr(2), out);
    } else {
      // Any other scheme, valid or not, resolves to nothing fetchable.
      verdict = is_http_scheme(scheme) ? Fast::kFallBack : Fast::kNotHttp;
    }
  } else if (main.starts_with("//")) {
    verdict = append_authority_form(std::string_view(base_).substr(0, base_.find(':')),
                                    main.substr(2), out);
  } else if (main.starts_with('/')) {
    out.append(base_, 0, authority_end_);
    append_path(main.substr(0, query), out);
    out.append(main.substr(query));
  } else if (main.starts_with('?')) {
    out.append(base_, 0, path_end_).append(main);
  } else if (main.empty()) {
    out.append(base_);
  } else {
    const std::string_view relative = main.substr(0, query);
    if (relative.starts_with('.') || relative.find("/.") != std::string_view::npos) {
      // Dot segments may climb into the base's directory: remove them over the merged path.
      std::string path(
          std::string_view(base_).substr(authority_end_, directory_end_ - authority_end_));
      path.append(relative);
      out.append(base_, 0, authority_end_);
      append_path(path, out);
    } else {
      out.append(base_, 0, directory_end_).append(relative);
    }
    out.append(main.substr(query));
  }
  // resolve_reference's length limit counts the fragment, normalize_url's does not.
  if (verdict == Fast::kDone && out.size() + fragment_size > kMaxUrlLength) {
    verdict = Fast::kFallBack;
  }
  return verdict;
}

std::optional<std::string> LinkResolver::resolve_http(std::string_view ref) const {
  ref = trim_ascii_space(ref);
  if (fast_) {
    std::string out;
    out.reserve(base_.size() + ref.size());
    switch (resolve_fast(ref, out)) {
      case Fast::kDone:
        return out;
      case Fast::kNotHttp:
        return std::nullopt;
      case Fast::kFallBack:
        break;
    }
  }
  std::optional<std::string> url = resolve_url(base_, ref);
  if (!url) return std::nullopt;
  const std::optional<UrlView> parts = split_url_view(*url);
  if (!parts || !is_http_scheme(parts->scheme)) return std::nullopt;
  return url;
}

bool is_http_scheme(std::string_view scheme) {
  return equals_ignore_case(scheme, "http") || equals_ignore_case(scheme, "https");
}

std::uint64_t url_fingerprint(std::string_view normalized_url) {
  return XXH3_64bits(normalized_url.data(), normalized_url.size());
}

}  // namespace crawler
