// Fuzzes URL normalisation, resolution and splitting (crawler/url/url.h) and checks their
// contracts: normalisation is a fixed point, results are bounded and free of fragments and control
// characters, http(s) results split into a host and a port, resolution against an http(s) base
// yields http(s) or nothing, and an absolute normalised http(s) reference resolves to itself.
//
// Input: "BASE\nREF" (no newline: the whole input is both).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "crawler/url/url.h"

namespace {

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "url_fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

bool has_control_char(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
  }
  return false;
}

// Checks what every normalize_url/resolve_url result must satisfy, and returns its parts when it
// is an http(s) URL.
std::optional<crawler::UrlParts> check_normalized(const std::string& url) {
  check(url.size() <= crawler::kMaxUrlLength, "result longer than kMaxUrlLength");
  check(!has_control_char(url), "control character in a result");
  check(url.find('#') == std::string::npos, "fragment kept");
  check(url.find(' ') == std::string::npos, "raw space in a result");
  const std::optional<std::string> again = crawler::normalize_url(url);
  check(again.has_value(), "normalised URL is rejected by normalize_url");
  check(*again == url, "normalize_url is not a fixed point");

  const std::size_t colon = url.find(':');
  check(colon != std::string::npos, "no scheme in a result");
  if (!crawler::is_http_scheme(std::string_view(url).substr(0, colon))) return std::nullopt;
  const std::optional<crawler::UrlParts> parts = crawler::split_url(url);
  check(parts.has_value(), "http(s) result does not split");
  check(parts->scheme == "http" || parts->scheme == "https", "scheme not lowercase");
  check(!parts->host.empty(), "empty host");
  check(parts->port >= 0 && parts->port <= 65535, "port out of range");
  check(parts->path_and_query.starts_with('/'), "path does not start with '/'");
  // Without userinfo, origin + path is the URL itself.
  if (url.find('@') == std::string::npos || url.find('@') > url.find('/', colon + 3)) {
    check(crawler::url_origin(*parts) + parts->path_and_query == url,
          "origin + path_and_query differs from the URL");
  }
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view base = input.substr(0, newline);
  const std::string_view ref =
      newline == std::string_view::npos ? input : input.substr(newline + 1);

  (void)crawler::split_url(input);
  (void)crawler::url_fingerprint(input);

  const std::optional<std::string> normalized_base = crawler::normalize_url(base);
  bool http_base = false;
  if (normalized_base) {
    http_base = check_normalized(*normalized_base).has_value();
    // An empty reference names the base document itself.
    check(crawler::resolve_url(*normalized_base, "") == normalized_base,
          "resolve_url(base, \"\") differs from the base");
  }

  const std::optional<std::string> normalized_ref = crawler::normalize_url(ref);
  if (normalized_ref) {
    // Only hierarchical references: RFC 3986 resolution removes dot segments from the rootless
    // path of "foo:a/../b" too ("foo:/b"), which normalisation leaves opaque.
    if (check_normalized(*normalized_ref) && normalized_base) {
      check(crawler::resolve_url(*normalized_base, *normalized_ref) == normalized_ref,
            "an absolute normalised reference does not resolve to itself");
    }
  }

  const std::optional<std::string> resolved = crawler::resolve_url(base, ref);
  if (resolved) {
    const bool http_result = check_normalized(*resolved).has_value();
    // A reference without a scheme of its own inherits the base's.
    const std::size_t scheme_end = ref.find_first_of(":/?#");
    const bool ref_has_scheme = scheme_end != std::string_view::npos && ref[scheme_end] == ':';
    if (http_base && !ref_has_scheme) check(http_result, "resolved against http(s) to non-http");
  }
  (void)crawler::resolve_reference(base, ref);
  return 0;
}
