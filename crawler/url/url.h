// URL parsing, RFC 3986 reference resolution and the crawler's URL normalisation.
//
// Normalised URLs are the crawler's identity for a page: two links that normalise to the same
// string are fetched once, so normalisation must be deterministic and idempotent
// (normalize_url(*normalize_url(x)) == normalize_url(x)).
//
// Normalisation rules (RFC 3986 sections 6.2.2 and 6.2.3, plus crawler policy):
//  1. The fragment is dropped, including an empty one.
//  2. Scheme and host are lowercased; the hex of every %xx that stays encoded is uppercased.
//  3. %xx of unreserved characters (A-Z a-z 0-9 - . _ ~) is decoded in path and query.
//  4. remove_dot_segments (RFC 3986 5.2.4) runs on hierarchical paths after step 3, so %2E%2E
//     counts as "..". Empty segments and the query are left alone.
//  5. http/https only: the default port (80, 443) is removed and an empty path becomes "/".
//     An empty port (":") is removed for every scheme (RFC 3986 3.2.3). An empty "?" is kept.
// Userinfo is kept byte for byte. Other schemes (mailto:, data:, javascript:, foo://...) get
// the syntax-based rules only.
//
// Leniency for links found in real pages: raw spaces and other characters that are not allowed
// in a URI (" < > \ ^ ` { | } and non-ASCII bytes) are percent-encoded in path and query, and a
// '%' that does not start a valid %xx triplet becomes %25. Control characters anywhere, a space
// or non-ASCII byte in the scheme or authority (IDNA is not supported), and URLs longer than
// kMaxUrlLength are rejected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crawler {

// Longer inputs, and results that would grow past it through percent-encoding, are rejected:
// servers and proxies commonly refuse request lines of this size anyway.
inline constexpr std::size_t kMaxUrlLength = std::size_t{8} * 1024;

// Normalises an absolute URL (see the rules above). Returns std::nullopt when the input is not
// a valid absolute URL: no or malformed scheme, bad host, bad port, http(s) without a host,
// control characters, spaces outside path and query, longer than kMaxUrlLength.
std::optional<std::string> normalize_url(std::string_view url);

// Resolves `ref` (for example an href value) against the absolute `base` (RFC 3986 section 5)
// and normalises the result. Leading and trailing ASCII whitespace of `ref` is ignored, as HTML
// does for attribute URLs. A fragment-only `ref` resolves to the base page itself.
std::optional<std::string> resolve_url(std::string_view base, std::string_view ref);

// RFC 3986 section 5.2 resolution only (strict parser, so "http:g" stays "http:g"), without
// normalisation: keeps the fragment of `ref`. Returns std::nullopt when `base` has no scheme,
// when either input has a malformed scheme, control characters or an invalid authority, or is
// longer than kMaxUrlLength.
std::optional<std::string> resolve_reference(std::string_view base, std::string_view ref);

// Parts of a URL produced by normalize_url. Userinfo and fragment are not represented.
struct UrlParts {
  std::string scheme;          // lowercase, e.g. "https"
  std::string host;            // lowercase; IPv6 literals keep their brackets: "[::1]"
  int port = 0;                // the scheme's default when absent; 0 when it has none
  std::string path_and_query;  // e.g. "/a/b?x=1"; "/?" keeps its empty query
};

// The same parts as views into the URL, for callers that check many URLs and keep few.
struct UrlView {
  std::string_view scheme;
  std::string_view host;
  int port = 0;
  std::string_view path_and_query;
};

// Splits a normalised URL. Returns std::nullopt when it has no scheme, no authority, an empty
// host or a port that is not a number in [0, 65535]. Does not normalise.
std::optional<UrlParts> split_url(std::string_view normalized_url);
// As split_url; the views point into `normalized_url`.
std::optional<UrlView> split_url_view(std::string_view normalized_url);
UrlView view_of(const UrlParts& parts);

// "scheme://host[:port]", the port omitted when it is the scheme's default.
std::string url_origin(const UrlParts& parts);
std::string url_origin(const UrlView& parts);

// True for "http" and "https" (ASCII case-insensitive, as schemes are), false for anything else.
bool is_http_scheme(std::string_view scheme);

// Resolves the links of one page against its base. Gives exactly what resolve_url(base, ref)
// gives when that is an http(s) URL split_url accepts, and std::nullopt otherwise (a link the
// crawler cannot fetch). Why a class: a page has dozens of links and one base, and through
// resolve_url every link parsed the base again and was parsed three more times itself, a
// sixth of the crawler's CPU. Here the base is split once, and a link made only of characters
// that normalisation leaves alone (letters, digits, "-._~!$&'()*+,;=:@/?", any fragment) with
// an authority already in canonical form is resolved and normalised in one pass; any other
// link takes resolve_url. tests/unit/url_test.cc compares the two on generated links.
class LinkResolver {
 public:
  // `base`: an absolute URL, normalised for the fast path to apply (as resolve_url returns).
  explicit LinkResolver(std::string base);

  std::optional<std::string> resolve_http(std::string_view ref) const;

 private:
  enum class Fast { kDone, kNotHttp, kFallBack };
  Fast resolve_fast(std::string_view ref, std::string& out) const;
  // Appends "scheme://host[:port]/path?query" for `rest` ("host[:port]/path?query"), or
  // returns kFallBack when the authority is not in canonical form.
  Fast append_authority_form(std::string_view scheme, std::string_view rest,
                             std::string& out) const;

  std::string base_;
  bool fast_ = false;              // base_ is http(s) without userinfo: the fast path may run
  std::size_t authority_end_ = 0;  // base_[0, authority_end_) is "scheme://authority"
  std::size_t directory_end_ = 0;  // base_[0, directory_end_) ends with the path's last '/'
  std::size_t path_end_ = 0;       // where base_'s query starts ('?'), or its size
};

// 64-bit fingerprint of a normalised URL: XXH3_64bits with the default seed, which is
// specified byte for byte, so it is stable across runs, machines and endianness.
std::uint64_t url_fingerprint(std::string_view normalized_url);

}  // namespace crawler
