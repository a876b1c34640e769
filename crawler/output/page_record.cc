#include "crawler/output/page_record.h"

#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>

#include "crawler/html/charset.h"

namespace crawler {
namespace {

// A DOM per record cost a noticeable share of the crawler's CPU (README: "Measurements behind
// design choices"), so the line is written straight into the output string.
// The bytes must stay exactly those nlohmann's dump(-1, ' ', false, replace) produced:
// tests/unit/page_record_test.cc checks this against a copy of the old implementation.

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighs = 0x8080808080808080ULL;

// Exact as a yes/no answer (the position of the flagged byte may be wrong, which is not used).
constexpr bool has_zero_byte(std::uint64_t w) { return ((w - kOnes) & ~w & kHighs) != 0; }

// True when one of the eight bytes is below 0x20, '"' or '\\', i.e. may need escaping.
bool word_needs_escape(std::uint64_t w) {
  return (((w - 0x20 * kOnes) & ~w & kHighs) != 0) || has_zero_byte(w ^ ('"' * kOnes)) ||
         has_zero_byte(w ^ ('\\' * kOnes));
}

void append_escaped_byte(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";  // nlohmann writes lowercase
      const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(escape, sizeof escape);
    }
  }
}

// A JSON string, quotes included, as nlohmann writes it with ensure_ascii=false: only '"', '\\'
// and bytes below 0x20 are escaped; 0x7F, '/' and multi-byte UTF-8 are copied as they are.
void append_string(std::string& out, std::string_view s) {
  if (!is_valid_utf8(s)) {
    // Rare (a page that lied about its charset), and nlohmann's U+FFFD replacement has its own
    // rules for where a bad sequence ends: let nlohmann write this one so it stays identical.
    out += nlohmann::json(std::string(s))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  const char* p = s.data();
  const char* const end = p + s.size();
  const char* run = p;  // start of the bytes not yet appended
  while (p < end) {
    const char* block_end = end;
    if (end - p >= 8) {
      std::uint64_t word;
      std::memcpy(&word, p, sizeof word);
      if (!word_needs_escape(word)) {
        p += 8;
        continue;
      }
      block_end = p + 8;
    }
    for (; p < block_end; ++p) {
      const auto c = static_cast<unsigned char>(*p);
      if (c < 0x20 || c == '"' || c == '\\') {
        out.append(run, p);
        append_escaped_byte(out, c);
        run = p + 1;
      }
    }
  }
  out.append(run, end);
  out += '"';
}

void append_string_array(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    append_string(out, values[i]);
  }
  out += ']';
}

template <typename Integer>
void append_integer(std::string& out, Integer value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

std::size_t estimated_size(const PageRecord& r, bool include_links) {
  // Keys, punctuation and numbers take about 200 bytes; the rest is the strings, plus a little
  // for their quotes and escapes.
  std::size_t n = 256 + r.url.size() + r.final_url.size() + r.referrer.size() +
                  r.fetched_at.size() + r.content_type.size() + r.digest.size() + r.title.size();
  if (r.error) n += r.error->size();
  if (r.text) n += r.text->size() + r.text->size() / 16;
  for (const std::string& redirect : r.redirects) n += redirect.size() + 3;
  if (include_links) {
    for (const std::string& link : r.links) n += link.size() + 3;
  }
  return n;
}

}  // namespace

std::string to_json_line(const PageRecord& r, bool include_links) {
  std::string out;
  append_json_line(out, r, include_links);
  return out;
}

void append_json_line(std::string& out, const PageRecord& r, bool include_links) {
  out.reserve(out.size() + estimated_size(r, include_links));
  out += R"({"url":)";
  append_string(out, r.url);
  out += R"(,"final_url":)";
  append_string(out, r.final_url);
  out += R"(,"redirects":)";
  append_string_array(out, r.redirects);
  out += R"(,"status":)";
  append_integer(out, r.status);
  out += R"(,"error":)";
  if (r.error) {
    append_string(out, *r.error);
    out += R"(,"error_kind":)";
    append_string(out, error_token(r.error_kind, r.status));
  } else {
    out += R"(null,"error_kind":null)";
  }
  out += R"(,"depth":)";
  append_integer(out, r.depth);
  out += R"(,"referrer":)";
  if (r.referrer.empty()) {
    out += "null";
  } else {
    append_string(out, r.referrer);
  }
  out += R"(,"fetched_at":)";
  append_string(out, r.fetched_at);
  out += R"(,"elapsed_ms":)";
  append_integer(out, r.elapsed_ms);
  out += R"(,"content_type":)";
  append_string(out, r.content_type);
  out += R"(,"bytes":)";
  append_integer(out, r.bytes);
  out += R"(,"digest":)";
  append_string(out, r.digest);
  out += R"(,"title":)";
  append_string(out, r.title);
  if (include_links) {
    out += R"(,"links":)";
    append_string_array(out, r.links);
    if (r.links_truncated) out += R"(,"links_truncated":true)";
  }
  if (r.text_truncated) out += R"(,"text_truncated":true)";
  if (r.noindex) out += R"(,"noindex":true)";
  if (r.unchanged) out += R"(,"unchanged":true)";
  if (r.text) {
    out += R"(,"text":)";
    append_string(out, *r.text);
  }
  out += '}';
}

std::string utc_now_rfc3339() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%.*s.%03dZ", static_cast<int>(n), buffer,
                static_cast<int>(millis));
  return out;
}

}  // namespace crawler
