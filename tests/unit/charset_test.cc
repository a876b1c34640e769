#include "crawler/html/charset.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace crawler {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(CharsetTest, Iso88591IsDecodedAsWindows1252) {
  EXPECT_EQ(to_utf8("caf\xE9", "iso-8859-1"), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("caf\xE9", " ISO-8859-1 "), "caf\xC3\xA9");
  EXPECT_EQ(to_utf8("\xE9", "latin1"), "\xC3\xA9");
  // Windows-1252, not ISO-8859-1, has the euro sign at 0x80 (WHATWG maps the label so).
  EXPECT_EQ(to_utf8("\x80", "iso-8859-1"), "\xE2\x82\xAC");
}

TEST(CharsetTest, Windows1252) {
  EXPECT_EQ(to_utf8("\x80 5", "windows-1252"), "\xE2\x82\xAC 5");
  EXPECT_EQ(to_utf8("\x93q\x94", "cp1252"), "\xE2\x80\x9Cq\xE2\x80\x9D");
  // The five unassigned bytes become C1 controls, as in browsers, instead of U+FFFD.
  EXPECT_EQ(to_utf8("a\x81z", "windows-1252"), "a\xC2\x81z");
}

TEST(CharsetTest, OtherSingleByteCharsets) {
  EXPECT_EQ(to_utf8("\xC1", "koi8-r"), "\xD0\xB0");           // а
  EXPECT_EQ(to_utf8("\xE0", "windows-1251"), "\xD0\xB0");     // а
  EXPECT_EQ(to_utf8("\xA4", "iso-8859-15"), "\xE2\x82\xAC");  // €
  EXPECT_EQ(to_utf8("\xF0", "iso-8859-9"), "\xC4\x9F");       // ğ (windows-1254)
}

TEST(CharsetTest, MultiByteCharsets) {
  EXPECT_EQ(to_utf8("\x82\xA0", "shift_jis"), "\xE3\x81\x82");                   // あ
  EXPECT_EQ(to_utf8("\xC4\xE3\xBA\xC3", "gb2312"), "\xE4\xBD\xA0\xE5\xA5\xBD");  // 你好
  EXPECT_EQ(to_utf8("\xB0\xA1", "euc-kr"), "\xEA\xB0\x80");                      // 가
  // ISO-2022-JP is stateful: the escape sequences switch sets and produce no characters.
  EXPECT_EQ(to_utf8("\x1B$B$\"\x1B(Bx", "iso-2022-jp"), "\xE3\x81\x82x");
}

TEST(CharsetTest, InvalidMultiByteSequenceCostsOneCharacter) {
  // A lead byte followed by ASCII: the lead byte is replaced, the ASCII survives.
  EXPECT_EQ(to_utf8("\x82"
                    "A\x82\xA0",
                    "shift_jis"),
            kReplacement + "A\xE3\x81\x82");
  // A lead byte at the very end.
  EXPECT_EQ(to_utf8("ok\x82", "shift_jis"), "ok" + kReplacement);
}

TEST(CharsetTest, Utf16ByteOrderMarks) {
  EXPECT_EQ(to_utf8(std::string("\xFF\xFEh\0i\0", 6), "iso-8859-1"), "hi");
  EXPECT_EQ(to_utf8(std::string("\xFE\xFF\0h\0i", 6), ""), "hi");
  EXPECT_EQ(to_utf8(std::string("\xFF\xFE\xAC\x20", 4), "utf-8"), "\xE2\x82\xAC");
  // Without a BOM, the label decides.
  EXPECT_EQ(to_utf8(std::string("h\0i\0", 4), "utf-16le"), "hi");
  EXPECT_EQ(to_utf8(std::string("\0h\0i", 4), "UTF-16BE"), "hi");
}

TEST(CharsetTest, Utf16Errors) {
  // A lone surrogate is one bad unit; the decoder stays aligned on what follows.
  EXPECT_EQ(to_utf8(std::string("\xFF\xFE\x00\xD8h\0", 6), ""), kReplacement + "h");
  // An odd trailing byte.
  EXPECT_EQ(to_utf8(std::string("\xFF\xFEh\0i", 5), ""), "h" + kReplacement);
}

TEST(CharsetTest, Utf8ByteOrderMarkIsRemovedAndWins) {
  EXPECT_EQ(to_utf8("\xEF\xBB\xBF\xC3\xA9", "windows-1252"), "\xC3\xA9");
  EXPECT_EQ(to_utf8("\xEF\xBB\xBF", "utf-8"), "");
}

TEST(CharsetTest, ValidUtf8IsReturnedUnchanged) {
  const std::string text = "plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80";
  EXPECT_EQ(to_utf8(text, "utf-8"), text);
  EXPECT_EQ(to_utf8(text, "UTF8"), text);
  EXPECT_EQ(to_utf8(text, ""), text);
  EXPECT_EQ(to_utf8(text, "us-ascii"), text);
  EXPECT_EQ(to_utf8("", "windows-1252"), "");
}

TEST(CharsetTest, InvalidUtf8IsReplaced) {
  EXPECT_EQ(to_utf8("a\xFF"
                    "b",
                    "utf-8"),
            "a" + kReplacement + "b");
  // A truncated sequence is one maximal subpart: one U+FFFD.
  EXPECT_EQ(to_utf8("a\xE2\x82", "utf-8"), "a" + kReplacement);
  EXPECT_EQ(to_utf8("\xE2\x82"
                    "b",
                    ""),
            kReplacement + "b");
  // Overlong encodings and UTF-16 surrogates are not UTF-8: one U+FFFD per byte.
  EXPECT_EQ(to_utf8("\xC0\xAF", "utf-8"), kReplacement + kReplacement);
  EXPECT_EQ(to_utf8("\xED\xA0\x80", "utf-8"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(to_utf8("\xF4\x90\x80\x80", "utf-8"),
            kReplacement + kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(to_utf8("\xC3\xA9\xC3", "us-ascii"), "\xC3\xA9" + kReplacement);
}

TEST(CharsetTest, UnknownLabelsDecodeAsUtf8) {
  // UTF-7 is known to iconv but not to browsers; decoding it would turn "+ADw-" into '<'.
  EXPECT_EQ(to_utf8("+ADw-script", "utf-7"), "+ADw-script");
  EXPECT_EQ(to_utf8("caf\xE9", "x-no-such-charset"), "caf" + kReplacement);
  EXPECT_EQ(to_utf8("caf\xC3\xA9", "ucs-4"), "caf\xC3\xA9");
}

TEST(CharsetTest, OutputIsAlwaysValidUtf8) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  for (const char* label : {"", "utf-8", "windows-1252", "shift_jis", "gbk", "big5", "euc-jp",
                            "iso-2022-jp", "utf-16le", "utf-16be", "koi8-r", "iso-8859-8"}) {
    SCOPED_TRACE(label);
    const std::string out = to_utf8(all_bytes, label);
    EXPECT_TRUE(is_valid_utf8(out));
    EXPECT_FALSE(out.empty());
  }
}

TEST(CharsetTest, IsValidUtf8) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("long enough ascii to take the fast path"));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("long enough ascii before a bad byte \xFF"));
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));
}

// The ASCII fast paths skip 32 and 8 bytes at a time: a sequence at any offset must still be
// seen, valid or not.
TEST(CharsetTest, IsValidUtf8AtEveryOffsetOfTheFastPaths) {
  for (std::size_t at = 0; at < 100; ++at) {
    std::string text(100, 'a');
    text.insert(at, "\xC3\xA9");
    EXPECT_TRUE(is_valid_utf8(text)) << at;
    text = std::string(100, 'a');
    text[at] = '\xFF';
    EXPECT_FALSE(is_valid_utf8(text)) << at;
    text = std::string(100, 'a');
    text.insert(at, "\xED\xA0\x80");  // a surrogate
    EXPECT_FALSE(is_valid_utf8(text)) << at;
    EXPECT_FALSE(is_valid_utf8(std::string(at, 'a') + "\xE2\x82")) << at;  // cut short at the end
  }
}

TEST(CharsetTest, CharsetFromContentType) {
  EXPECT_EQ(charset_from_content_type("text/html; charset=ISO-8859-1"), "iso-8859-1");
  EXPECT_EQ(charset_from_content_type("text/html;charset=utf-8"), "utf-8");
  EXPECT_EQ(charset_from_content_type("text/html; charset=\"UTF-8\""), "utf-8");
  EXPECT_EQ(charset_from_content_type("TEXT/HTML; CHARSET = Shift_JIS "), "shift_jis");
  EXPECT_EQ(charset_from_content_type("text/html; charset='windows-1251'"), "windows-1251");
  EXPECT_EQ(charset_from_content_type("text/html; format=flowed; charset=koi8-r; x=y"), "koi8-r");
  // A quoted ';' does not end a parameter, and a "charset=" inside a value is not the charset.
  EXPECT_EQ(charset_from_content_type("text/html; q=\"a;charset=bad\"; charset=good"), "good");
  EXPECT_EQ(charset_from_content_type("text/html; charset=\"a\\\"b\""), "a\"b");
  EXPECT_EQ(charset_from_content_type("text/html"), "");
  EXPECT_EQ(charset_from_content_type("text/html; charset="), "");
  EXPECT_EQ(charset_from_content_type("text/html; charset"), "");
  EXPECT_EQ(charset_from_content_type("text/html; mycharset=utf-8"), "");
  EXPECT_EQ(charset_from_content_type(""), "");
}

TEST(CharsetTest, CharsetFromMetaContent) {
  EXPECT_EQ(charset_from_meta_content("text/html; charset=KOI8-R"), "koi8-r");
  EXPECT_EQ(charset_from_meta_content("text/html;charset = \"utf-8\""), "utf-8");
  EXPECT_EQ(charset_from_meta_content("text/html; charset='x-sjis'"), "x-sjis");
  EXPECT_EQ(charset_from_meta_content("charsetx; charset=gbk"), "gbk");
  EXPECT_EQ(charset_from_meta_content("text/html; charset=\"unterminated"), "");
  EXPECT_EQ(charset_from_meta_content("text/html"), "");
}

TEST(CharsetTest, SniffMetaCharset) {
  EXPECT_EQ(sniff_meta_charset("<html><head><meta charset=\"Windows-1251\">"), "windows-1251");
  EXPECT_EQ(sniff_meta_charset("<META CHARSET=utf-8>"), "utf-8");
  EXPECT_EQ(sniff_meta_charset("<meta charset='koi8-r'/>"), "koi8-r");
  EXPECT_EQ(sniff_meta_charset(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\">"),
            "iso-8859-2");
  EXPECT_EQ(
      sniff_meta_charset("<meta content=\"text/html; charset=gbk\" http-equiv=\"content-type\">"),
      "gbk");
  // A content charset without http-equiv=content-type does not count.
  EXPECT_EQ(sniff_meta_charset("<meta name=x content=\"text/html; charset=gbk\">"), "");
  // Neither do comments, attribute values of other tags, or <metadata>.
  EXPECT_EQ(sniff_meta_charset("<!-- <meta charset=gbk> --><p>"), "");
  EXPECT_EQ(sniff_meta_charset("<div title='<meta charset=gbk>'>"), "");
  EXPECT_EQ(sniff_meta_charset("<metadata charset=gbk>"), "");
  // The first declaration wins; a UTF-16 claim in an ASCII-readable prefix means UTF-8.
  EXPECT_EQ(sniff_meta_charset("<meta charset=big5><meta charset=gbk>"), "big5");
  EXPECT_EQ(sniff_meta_charset("<meta charset=utf-16le>"), "utf-8");
  EXPECT_EQ(sniff_meta_charset(""), "");
}

TEST(CharsetTest, SniffMetaCharsetLooksAtTheFirst1024BytesOnly) {
  const std::string meta = "<meta charset=gbk>";
  EXPECT_EQ(sniff_meta_charset(std::string(1024 - meta.size(), ' ') + meta), "gbk");
  // Cut by the 1024-byte limit: the tag is incomplete, so it does not count.
  EXPECT_EQ(sniff_meta_charset(std::string(1025 - meta.size(), ' ') + meta), "");
  EXPECT_EQ(sniff_meta_charset("<meta charset=gbk"), "");
}

// move_to_utf8 gives to_utf8's answer, reusing the buffer when it is UTF-8 already.
TEST(CharsetTest, MoveToUtf8MatchesToUtf8AndKeepsAValidBuffer) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"plain ascii", ""},
      {"caf\xC3\xA9", "utf-8"},
      {"caf\xE9", ""},
      {"caf\xE9", "iso-8859-1"},
      {"\xEF\xBB\xBF"
       "bom",
       ""},
      {"\xFF\xFE"
       "a\0",
       ""},
      {"\xFE\xFF\0a", "utf-8"},
      {"caf\xC3\xA9", "windows-1252"},
      {"\xED\xA0\x80", "utf-8"},
      {"", ""},
  };
  for (const auto& [bytes, charset] : cases) {
    std::string buffer = bytes;
    EXPECT_EQ(move_to_utf8(std::move(buffer), charset), to_utf8(bytes, charset))
        << "bytes: " << bytes << " charset: " << charset;
  }
  std::string page(100000, 'x');
  page += "\xC3\xA9";
  const char* const data = page.data();
  const std::string html = move_to_utf8(std::move(page), "utf-8");
  EXPECT_EQ(html.data(), data);  // the same buffer, not a copy
  EXPECT_EQ(html.size(), 100002u);
}

}  // namespace
}  // namespace crawler
