#include "crawler/output/page_record.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "crawler/html/charset.h"

namespace crawler {
namespace {

// The implementation to_json_line replaced (an nlohmann DOM, dumped with the `replace` handler),
// kept verbatim: pages.jsonl must not change by a single byte.
std::string reference_json_line(const PageRecord& r, bool include_links) {
  nlohmann::ordered_json j;
  j["url"] = r.url;
  j["final_url"] = r.final_url;
  j["redirects"] = r.redirects;
  j["status"] = r.status;
  j["error"] = r.error ? nlohmann::ordered_json(*r.error) : nlohmann::ordered_json(nullptr);
  j["error_kind"] = r.error ? nlohmann::ordered_json(error_token(r.error_kind, r.status))
                            : nlohmann::ordered_json(nullptr);
  j["depth"] = r.depth;
  j["referrer"] =
      r.referrer.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.referrer);
  j["fetched_at"] = r.fetched_at;
  j["elapsed_ms"] = r.elapsed_ms;
  j["content_type"] = r.content_type;
  j["bytes"] = r.bytes;
  j["digest"] = r.digest;
  j["title"] = r.title;
  if (include_links) {
    j["links"] = r.links;
    if (r.links_truncated) j["links_truncated"] = true;
  }
  if (r.text_truncated) j["text_truncated"] = true;
  if (r.noindex) j["noindex"] = true;
  if (r.unchanged) j["unchanged"] = true;
  if (r.text) j["text"] = *r.text;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Byte for byte against the reference, with and without links. Returns false on a mismatch so
// that loops over thousands of cases stop at the first one.
bool matches_reference(const PageRecord& r) {
  for (const bool include_links : {false, true}) {
    const std::string expected = reference_json_line(r, include_links);
    const std::string actual = to_json_line(r, include_links);
    EXPECT_EQ(actual, expected) << "include_links=" << include_links;
    if (actual != expected) return false;
  }
  return true;
}

bool all_strings_valid(const PageRecord& r) {
  std::vector<const std::string*> strings = {
      &r.url, &r.final_url, &r.referrer, &r.fetched_at, &r.content_type, &r.digest, &r.title};
  if (r.error) strings.push_back(&*r.error);
  if (r.text) strings.push_back(&*r.text);
  for (const std::string& s : r.redirects) strings.push_back(&s);
  for (const std::string& s : r.links) strings.push_back(&s);
  for (const std::string* s : strings) {
    if (!is_valid_utf8(*s)) return false;
  }
  return true;
}

// The line is JSON whatever the input; for valid UTF-8 every field reads back as written, the
// keys in the documented order and the optional ones only when set.
void expect_parses_back(const PageRecord& r, bool include_links) {
  const std::string line = to_json_line(r, include_links);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_TRUE(is_valid_utf8(line));
  nlohmann::ordered_json j;
  ASSERT_NO_THROW(j = nlohmann::ordered_json::parse(line)) << line;
  ASSERT_TRUE(j.is_object());

  std::vector<std::string> keys = {
      "url",      "final_url",  "redirects",  "status",       "error", "error_kind", "depth",
      "referrer", "fetched_at", "elapsed_ms", "content_type", "bytes", "digest",     "title"};
  if (include_links) {
    keys.push_back("links");
    if (r.links_truncated) keys.push_back("links_truncated");
  }
  if (r.text_truncated) keys.push_back("text_truncated");
  if (r.noindex) keys.push_back("noindex");
  if (r.unchanged) keys.push_back("unchanged");
  if (r.text) keys.push_back("text");
  std::vector<std::string> actual_keys;
  for (const auto& item : j.items()) actual_keys.push_back(item.key());
  EXPECT_EQ(actual_keys, keys);

  EXPECT_EQ(j["status"].get<int>(), r.status);
  EXPECT_EQ(j["depth"].get<int>(), r.depth);
  EXPECT_EQ(j["elapsed_ms"].get<std::int64_t>(), r.elapsed_ms);
  EXPECT_EQ(j["bytes"].get<std::uint64_t>(), r.bytes);
  EXPECT_EQ(j["error"].is_null(), !r.error);
  EXPECT_EQ(j["error_kind"].is_null(), !r.error);
  EXPECT_EQ(j["referrer"].is_null(), r.referrer.empty());
  for (const char* flag : {"links_truncated", "text_truncated", "noindex", "unchanged"}) {
    if (j.contains(flag)) {
      EXPECT_EQ(j[flag], true) << flag;
    }
  }

  if (!all_strings_valid(r)) return;
  EXPECT_EQ(j["url"], r.url);
  EXPECT_EQ(j["final_url"], r.final_url);
  EXPECT_EQ(j["redirects"].get<std::vector<std::string>>(), r.redirects);
  if (r.error) {
    EXPECT_EQ(j["error"], *r.error);
    EXPECT_EQ(j["error_kind"], error_token(r.error_kind, r.status));
  }
  if (!r.referrer.empty()) {
    EXPECT_EQ(j["referrer"], r.referrer);
  }
  EXPECT_EQ(j["fetched_at"], r.fetched_at);
  EXPECT_EQ(j["content_type"], r.content_type);
  EXPECT_EQ(j["digest"], r.digest);
  EXPECT_EQ(j["title"], r.title);
  if (include_links) {
    EXPECT_EQ(j["links"].get<std::vector<std::string>>(), r.links);
  }
  if (r.text) {
    EXPECT_EQ(j["text"], *r.text);
  }
}

void expect_parses_back(const PageRecord& r) {
  expect_parses_back(r, false);
  expect_parses_back(r, true);
}

PageRecord full_record() {
  PageRecord r;
  r.url = "https://example.com/a?b=c&d=e";
  r.final_url = "https://example.com/a/?b=c&d=e";
  r.redirects = {"https://example.com/a?b=c&d=e", "http://example.com/a"};
  r.status = 200;
  r.depth = 3;
  r.referrer = "https://example.com/";
  r.fetched_at = "2026-11-26T20:02:03.123Z";
  r.elapsed_ms = 1234;
  r.content_type = "text/html; charset=utf-8";
  r.bytes = 98765;
  r.digest = "sha256:0123456789abcdef";
  r.title = "Caf\xC3\xA9 \"quoted\" \\ back/slash\ttab";
  r.links = {"https://example.com/1", "https://example.com/2", "https://example.com/\xE2\x82\xAC"};
  r.etag = "\"not written\"";
  r.last_modified = "not written either";
  r.skip_output = true;
  return r;
}

// A record with `s` in every string field, so one value exercises every place a string is written.
PageRecord record_with_every_string(const std::string& s) {
  PageRecord r;
  r.url = s;
  r.final_url = s;
  r.redirects = {s, s};
  r.error = s;
  r.error_kind = ErrorKind::kTimeout;
  r.referrer = s;
  r.fetched_at = s;
  r.content_type = s;
  r.digest = s;
  r.title = s;
  r.links = {s, "x", s};
  r.text = s;
  return r;
}

bool matches_reference_for_string(const std::string& s) {
  PageRecord r;
  r.title = s;
  r.links = {s};
  return matches_reference(r);
}

// How nlohmann writes `s` alone, with the handler the old implementation used.
std::string nlohmann_string(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// How to_json_line writes `s` as the title, which is the last key of a bare record.
std::string title_json(const std::string& s) {
  PageRecord r;
  r.title = s;
  const std::string line = to_json_line(r, false);
  const std::string key = R"("title":)";
  const std::size_t start = line.find(key) + key.size();
  return line.substr(start, line.size() - start - 1);  // up to the closing brace
}

TEST(PageRecordJsonTest, ExactLineForAKnownRecord) {
  // Pins the format itself, so that it cannot drift even together with the reference.
  PageRecord r = full_record();
  r.text = "line one\nline two";
  r.noindex = true;
  EXPECT_EQ(
      to_json_line(r, true),
      R"({"url":"https://example.com/a?b=c&d=e","final_url":"https://example.com/a/?b=c&d=e",)"
      R"("redirects":["https://example.com/a?b=c&d=e","http://example.com/a"],"status":200,)"
      R"("error":null,"error_kind":null,"depth":3,"referrer":"https://example.com/",)"
      R"("fetched_at":"2026-11-26T20:02:03.123Z","elapsed_ms":1234,)"
      R"("content_type":"text/html; charset=utf-8","bytes":98765,)"
      R"("digest":"sha256:0123456789abcdef",)"
      R"("title":"Caf)"
      "\xC3\xA9"
      R"( \"quoted\" \\ back/slash\ttab",)"
      R"("links":["https://example.com/1","https://example.com/2","https://example.com/)"
      "\xE2\x82\xAC"
      R"("],"noindex":true,"text":"line one\nline two"})");
  EXPECT_EQ(to_json_line(PageRecord{}, false),
            R"({"url":"","final_url":"","redirects":[],"status":0,"error":null,)"
            R"("error_kind":null,"depth":0,"referrer":null,"fetched_at":"","elapsed_ms":0,)"
            R"("content_type":"","bytes":0,"digest":"","title":""})");
}

TEST(PageRecordJsonTest, HandWrittenRecordsMatchReference) {
  std::vector<PageRecord> records;
  records.push_back(PageRecord{});
  records.push_back(full_record());

  PageRecord error_with_kind = full_record();
  error_with_kind.status = 0;
  error_with_kind.error = "connection timed out after 30000 ms";
  error_with_kind.error_kind = ErrorKind::kTimeout;
  records.push_back(error_with_kind);

  PageRecord error_without_kind = error_with_kind;
  error_without_kind.error_kind = ErrorKind::kNone;  // written as "other"
  records.push_back(error_without_kind);

  PageRecord empty_error = error_with_kind;
  empty_error.error = "";
  records.push_back(empty_error);

  PageRecord kind_without_error = full_record();
  kind_without_error.error_kind = ErrorKind::kTls;  // no error: both stay null
  records.push_back(kind_without_error);

  PageRecord no_referrer = full_record();
  no_referrer.referrer = "";
  records.push_back(no_referrer);

  PageRecord with_text = full_record();
  with_text.text = "Some text.\nWith \"quotes\", \\ and \x01 control.";
  records.push_back(with_text);

  PageRecord empty_text = full_record();
  empty_text.text = "";
  records.push_back(empty_text);

  PageRecord no_links = full_record();
  no_links.links.clear();
  no_links.links_truncated = true;  // written only with links
  records.push_back(no_links);

  PageRecord extremes = full_record();
  extremes.status = std::numeric_limits<int>::min();
  extremes.depth = std::numeric_limits<int>::max();
  extremes.elapsed_ms = std::numeric_limits<std::int64_t>::min();
  extremes.bytes = std::numeric_limits<std::uint64_t>::max();
  records.push_back(extremes);
  extremes.status = -1;
  extremes.depth = -7;
  extremes.elapsed_ms = std::numeric_limits<std::int64_t>::max();
  extremes.bytes = std::uint64_t{1} << 63;
  records.push_back(extremes);

  // Every combination of the four flags, with and without text.
  for (int bits = 0; bits < 32; ++bits) {
    PageRecord r = full_record();
    r.links_truncated = (bits & 1) != 0;
    r.text_truncated = (bits & 2) != 0;
    r.noindex = (bits & 4) != 0;
    r.unchanged = (bits & 8) != 0;
    if ((bits & 16) != 0) r.text = "text";
    records.push_back(r);
  }

  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_TRUE(matches_reference(records[i]));
    expect_parses_back(records[i]);
  }
}

// Each escaping rule, checked against what nlohmann itself writes rather than assumed.
TEST(PageRecordJsonTest, EscapingRulesAreNlohmanns) {
  const std::vector<std::pair<std::string, std::string>> rules = {
      {"\"", R"("\"")"},
      {"\\", R"("\\")"},
      {"/", R"("/")"},  // not escaped
      {"\b", R"("\b")"},
      {"\f", R"("\f")"},
      {"\n", R"("\n")"},
      {"\r", R"("\r")"},
      {"\t", R"("\t")"},
      {std::string(1, '\0'), R"("\u0000")"},
      {"\x01", R"("\u0001")"},
      {"\x0B", R"("\u000b")"},  // vertical tab has no short form; hex is lowercase
      {"\x1F", R"("\u001f")"},
      {"\x7F", "\"\x7F\""},                          // DEL is copied
      {"\xC2\x80", "\"\xC2\x80\""},                  // so are C1 controls
      {"\xE2\x80\xA8", "\"\xE2\x80\xA8\""},          // and U+2028
      {"\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\""},  // and U+10FFFF
      {"\xEF\xBB\xBF", "\"\xEF\xBB\xBF\""},          // a BOM is kept
      {"\xFF", "\"\xEF\xBF\xBD\""},                  // an invalid byte becomes U+FFFD
      {"a\xC3", "\"a\xEF\xBF\xBD\""},                // a truncated sequence too
  };
  for (const auto& [input, expected] : rules) {
    SCOPED_TRACE(expected);
    EXPECT_EQ(nlohmann_string(input), expected);
    EXPECT_EQ(title_json(input), expected);
  }
}

TEST(PageRecordJsonTest, EveryByteValueMatchesReference) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  ASSERT_TRUE(matches_reference(record_with_every_string(all)));
  ASSERT_TRUE(matches_reference(record_with_every_string(all.substr(0, 128))));  // ASCII only
  expect_parses_back(record_with_every_string(all.substr(0, 128)));

  for (int b = 0; b < 256; ++b) {
    SCOPED_TRACE("byte " + std::to_string(b));
    const std::string c(1, static_cast<char>(b));
    ASSERT_TRUE(matches_reference(record_with_every_string(c)));
    ASSERT_TRUE(matches_reference_for_string("a" + c + "z"));
    ASSERT_TRUE(matches_reference_for_string(c + c + c));
    ASSERT_TRUE(matches_reference_for_string("\xC3\xA9" + c + "\xE2\x82\xAC"));
    ASSERT_TRUE(matches_reference_for_string("\xE2\x82" + c));  // inside a sequence
    ASSERT_TRUE(matches_reference_for_string("\xF0\x9F\x98" + c + "tail"));
    // At every offset of a 24-byte ASCII string, so every lane of the 8-byte scan sees it.
    for (std::size_t offset = 0; offset < 24; ++offset) {
      std::string s(24, 'a');
      s[offset] = static_cast<char>(b);
      ASSERT_TRUE(matches_reference_for_string(s)) << "offset " << offset;
    }
  }
}

TEST(PageRecordJsonTest, TrickyUtf8MatchesReference) {
  const std::vector<std::string> sequences = {
      "\xC0\x80",                  // overlong NUL
      "\xC0\xAF",                  // overlong '/'
      "\xC1\xBF",                  // overlong, largest 2-byte
      "\xC2\x80",                  // smallest valid 2-byte
      "\xDF\xBF",                  // largest valid 2-byte
      "\xE0\x80\x80",              // overlong 3-byte
      "\xE0\x9F\xBF",              // overlong, just below U+0800
      "\xE0\xA0\x80",              // U+0800
      "\xED\x9F\xBF",              // U+D7FF, last before the surrogates
      "\xED\xA0\x80",              // U+D800
      "\xED\xAF\xBF",              // U+DBFF
      "\xED\xB0\x80",              // U+DC00
      "\xED\xBF\xBF",              // U+DFFF
      "\xED\xA0\xBD\xED\xB8\x80",  // a CESU-8 surrogate pair
      "\xEE\x80\x80",              // U+E000
      "\xEF\xBF\xBD",              // U+FFFD itself
      "\xEF\xBF\xBE",              // U+FFFE, a noncharacter but valid
      "\xEF\xBF\xBF",              // U+FFFF
      "\xF0\x80\x80\x80",          // overlong 4-byte
      "\xF0\x8F\xBF\xBF",          // overlong, just below U+10000
      "\xF0\x90\x80\x80",          // U+10000
      "\xF4\x8F\xBF\xBF",          // U+10FFFF
      "\xF4\x90\x80\x80",          // U+110000
      "\xF7\xBF\xBF\xBF",          // U+1FFFFF
      "\xF8\x88\x80\x80\x80",      // old 5-byte form
      "\xFC\x84\x80\x80\x80\x80",  // old 6-byte form
      "\xFE",
      "\xFF",
      "\xC3",                              // truncated 2-byte
      "\xE2\x82",                          // truncated 3-byte
      "\xE2",                              // truncated 3-byte, lead only
      "\xF0\x9F\x98",                      // truncated 4-byte
      "\xF0\x9F",                          // truncated 4-byte
      "\xF0",                              // truncated 4-byte, lead only
      "\x80",                              // lone continuation
      "\xBF",                              // lone continuation
      "\x80\x80\x80\x80",                  // several
      "\xC3\xA9\xA9",                      // one too many continuations
      "\xE2\x28\xA1",                      // ASCII where a continuation belongs
      "\xC3\x22",                          // a quote where a continuation belongs
      "\xC3\x5C",                          // a backslash where a continuation belongs
      "\xE2\x82\x0A",                      // a newline where a continuation belongs
      std::string("\xF0\x9F\x98\x00", 4),  // NUL where a continuation belongs
      "\xC3\xC3\xA9",                      // a lead where a continuation belongs
  };
  for (const std::string& seq : sequences) {
    SCOPED_TRACE(testing::PrintToString(seq));
    ASSERT_TRUE(matches_reference(record_with_every_string(seq)));
    ASSERT_TRUE(matches_reference_for_string("abc" + seq));
    ASSERT_TRUE(matches_reference_for_string(seq + "abc"));
    ASSERT_TRUE(matches_reference_for_string("long ascii prefix \"here\" " + seq + "\n"));
    ASSERT_TRUE(matches_reference_for_string(seq + seq));
    ASSERT_TRUE(matches_reference_for_string(seq + "\xC3\xA9" + seq + "\\"));
    for (const std::string& other : sequences) {
      ASSERT_TRUE(matches_reference_for_string(seq + other)) << testing::PrintToString(other);
    }
    expect_parses_back(record_with_every_string(seq));
  }
}

// Output only differs from nlohmann's if crawler::is_valid_utf8 and nlohmann's decoder disagree
// about a string, so cover the boundaries of the decoder exhaustively. A string is compared alone
// (the serialiser writes each string independently of the others) to keep this affordable under
// ASan: a whole reference record per case took 50 s there.
TEST(PageRecordJsonTest, ShortByteSequencesMatchReference) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string s = {static_cast<char>(a), static_cast<char>(b)};
      ASSERT_EQ(title_json(s), nlohmann_string(s)) << a << " " << b;
    }
  }
  for (int a = 0xE0; a <= 0xEF; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : {0x00, 0x22, 0x7F, 0x80, 0xBF, 0xC0, 0xC3}) {
        const std::string s = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        ASSERT_EQ(title_json(s), nlohmann_string(s)) << a << " " << b << " " << c;
      }
    }
  }
  for (int a = 0xF0; a <= 0xFF; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : {0x0A, 0x80, 0xBF, 0xC0}) {
        for (int d : {0x5C, 0x80, 0xBF, 0xE2}) {
          const std::string s = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                                 static_cast<char>(d)};
          ASSERT_EQ(title_json(s), nlohmann_string(s)) << a << " " << b << " " << c << " " << d;
        }
      }
    }
  }
}

class RandomRecords {
 public:
  explicit RandomRecords(std::uint64_t seed) : random_(seed) {}

  // Below n, without std::uniform_int_distribution so the sequence is the same everywhere.
  std::uint64_t below(std::uint64_t n) { return random_() % n; }
  bool one_in(std::uint64_t n) { return below(n) == 0; }

  // Mostly URL-like ASCII with specials and valid UTF-8 mixed in; `valid` = false also lets in
  // fragments of broken UTF-8.
  std::string any_string(bool valid, std::size_t max_length) {
    std::string s;
    const std::size_t length = one_in(10) ? below(max_length + 1) : below(60);
    while (s.size() < length) append_fragment(s, valid);
    return s;
  }

  std::vector<std::string> any_strings(bool valid, std::size_t max_count) {
    std::vector<std::string> v(below(max_count + 1));
    for (std::string& s : v) s = any_string(valid, 200);
    return v;
  }

  std::int64_t any_int64() {
    switch (below(5)) {
      case 0:
        return static_cast<std::int64_t>(random_());  // anything, often negative
      case 1:
        return -static_cast<std::int64_t>(below(100000));
      case 2:
        return one_in(2) ? std::numeric_limits<std::int64_t>::min()
                         : std::numeric_limits<std::int64_t>::max();
      default:
        return static_cast<std::int64_t>(below(100000));
    }
  }

  std::uint64_t any_uint64() {
    switch (below(4)) {
      case 0:
        return random_();
      case 1:
        return std::numeric_limits<std::uint64_t>::max() - below(3);
      default:
        return below(10000000);
    }
  }

  int any_int() {
    switch (below(4)) {
      case 0:
        return static_cast<int>(static_cast<std::uint32_t>(random_()));
      case 1:
        return one_in(2) ? std::numeric_limits<int>::min() : std::numeric_limits<int>::max();
      default:
        return static_cast<int>(below(600));
    }
  }

  PageRecord any_record() {
    const bool valid = one_in(2);
    PageRecord r;
    r.url = any_string(valid, 300);
    r.final_url = one_in(2) ? r.url : any_string(valid, 300);
    r.redirects = any_strings(valid, one_in(4) ? 5 : 0);
    r.status = any_int();
    if (one_in(3)) r.error = any_string(valid, 100);
    r.error_kind = static_cast<ErrorKind>(below(static_cast<int>(ErrorKind::kInternal) + 1));
    r.depth = any_int();
    r.referrer = one_in(3) ? "" : any_string(valid, 300);
    r.fetched_at = any_string(valid, 40);
    r.elapsed_ms = any_int64();
    r.content_type = any_string(valid, 60);
    r.bytes = any_uint64();
    r.digest = any_string(valid, 80);
    r.title = any_string(valid, 300);
    r.links = any_strings(valid, one_in(3) ? 60 : 5);
    r.links_truncated = one_in(4);
    r.text_truncated = one_in(4);
    r.noindex = one_in(4);
    r.unchanged = one_in(4);
    if (one_in(3)) r.text = any_string(valid, 3000);
    return r;
  }

 private:
  void append_fragment(std::string& s, bool valid) {
    static constexpr char kAscii[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;= %";
    switch (below(valid ? 8 : 10)) {
      case 0:
      case 1:
      case 2:
      case 3: {  // a run of plain ASCII, long enough for the 8-byte scan
        const std::size_t n = 1 + below(16);
        for (std::size_t i = 0; i < n; ++i) s += kAscii[below(sizeof kAscii - 1)];
        return;
      }
      case 4: {  // something JSON escapes, or DEL
        static constexpr char kSpecials[] = {'"', '\\', '\b', '\f', '\n', '\r', '\t', 0x7F, '/'};
        s += one_in(2) ? kSpecials[below(sizeof kSpecials)] : static_cast<char>(below(0x20));
        return;
      }
      case 5:
        s += static_cast<char>(below(0x80));
        return;
      case 6:
      case 7:
        append_code_point(s, valid_code_point());
        return;
      default:
        append_broken_fragment(s);
        return;
    }
  }

  std::uint32_t valid_code_point() {
    switch (below(4)) {
      case 0:
        return 0x80 + static_cast<std::uint32_t>(below(0x800 - 0x80));
      case 1: {
        std::uint32_t c = 0x800 + static_cast<std::uint32_t>(below(0x10000 - 0x800));
        return (c >= 0xD800 && c <= 0xDFFF) ? c + 0x800 : c;
      }
      case 2:
        return 0x10000 + static_cast<std::uint32_t>(below(0x110000 - 0x10000));
      default: {
        static constexpr std::uint32_t kEdges[] = {0x80,   0x7FF,  0x800,   0xD7FF,   0xE000,
                                                   0xFFFD, 0xFFFF, 0x10000, 0x10FFFF, 0x2028};
        return kEdges[below(std::size(kEdges))];
      }
    }
  }

  // Encodes any value, surrogates and values above U+10FFFF included, the way UTF-8 would.
  static void append_code_point(std::string& s, std::uint32_t c) {
    if (c < 0x80) {
      s += static_cast<char>(c);
    } else if (c < 0x800) {
      s += static_cast<char>(0xC0 | (c >> 6));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      s += static_cast<char>(0xE0 | (c >> 12));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | ((c >> 18) & 0x07));
      s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (c & 0x3F));
    }
  }

  void append_broken_fragment(std::string& s) {
    switch (below(7)) {
      case 0:  // any high byte
        s += static_cast<char>(0x80 + below(0x80));
        return;
      case 1: {  // a valid sequence cut short
        std::string full;
        append_code_point(full, valid_code_point());
        s += full.substr(0, 1 + below(full.size() - 1));
        return;
      }
      case 2:  // a surrogate
        append_code_point(s, 0xD800 + static_cast<std::uint32_t>(below(0x800)));
        return;
      case 3: {  // an overlong form of a small value
        const std::uint32_t c = static_cast<std::uint32_t>(below(0x800));
        if (one_in(2)) {
          s += static_cast<char>(0xC0 | ((c >> 6) & 0x01));
          s += static_cast<char>(0x80 | (c & 0x3F));
        } else {
          s += '\xE0';
          s += static_cast<char>(0x80 | ((c >> 6) & 0x1F));
          s += static_cast<char>(0x80 | (c & 0x3F));
        }
        return;
      }
      case 4:  // above U+10FFFF
        append_code_point(s, 0x110000 + static_cast<std::uint32_t>(below(0xEFFFF)));
        return;
      case 5:  // lone continuations
        s.append(1 + below(3), static_cast<char>(0x80 + below(0x40)));
        return;
      default:  // a lead byte followed by anything
        s += static_cast<char>(0xC0 + below(0x40));
        s += static_cast<char>(below(256));
        return;
    }
  }

  std::mt19937_64 random_;
};

TEST(PageRecordJsonTest, RandomRecordsMatchReference) {
  constexpr int kRecords = 5000;
  RandomRecords random(20261126);
  int valid_records = 0;
  for (int i = 0; i < kRecords; ++i) {
    const PageRecord r = random.any_record();
    SCOPED_TRACE("random record " + std::to_string(i));
    ASSERT_TRUE(matches_reference(r));
    ASSERT_NO_FATAL_FAILURE(expect_parses_back(r));
    if (HasFailure()) return;
    if (all_strings_valid(r)) ++valid_records;
  }
  // Both halves of the generator were exercised: records that round-trip and broken ones.
  EXPECT_GT(valid_records, kRecords / 4);
  EXPECT_LT(valid_records, kRecords * 3 / 4);
}

}  // namespace
}  // namespace crawler
