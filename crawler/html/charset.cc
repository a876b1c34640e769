#include "crawler/html/charset.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "crawler/util/ascii.h"

namespace crawler {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at the start of `s` (1 to 4), or 0 when it is
// ill-formed. On 0, *subpart is the length of its maximal subpart (at least 1): the Unicode
// "substitution of maximal subparts" practice, which the WHATWG decoder also follows, replaces
// exactly that many bytes with one U+FFFD.
std::size_t utf8_sequence_length(std::string_view s, std::size_t* subpart) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  *subpart = 1;
  if (b0 < 0x80) return 1;
  std::size_t need;
  unsigned char lo = 0x80;
  unsigned char hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  for (std::size_t i = 1; i <= need; ++i) {
    if (i >= s.size()) return 0;
    const unsigned char b = byte(i);
    if (b < lo || b > hi) return 0;
    lo = 0x80;
    hi = 0xBF;
    *subpart = i + 1;
  }
  return need + 1;
}

// Appends `s` to `out` with every ill-formed sequence replaced by U+FFFD.
void append_replacing_invalid_utf8(std::string_view s, std::string& out) {
  out.reserve(out.size() + s.size());
  std::size_t run_start = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t subpart;
    const std::size_t len = utf8_sequence_length(s.substr(i), &subpart);
    if (len != 0) {
      i += len;
      continue;
    }
    out.append(s.substr(run_start, i - run_start));
    out.append(kReplacement);
    i += subpart;
    run_start = i;
  }
  out.append(s.substr(run_start));
}

// WHATWG Encoding Standard labels mapped to the glibc iconv name of the matching decoder. Where
// the web's decoder is a superset of the nominal charset (GBK -> gb18030, Shift_JIS -> windows-31j,
// EUC-KR -> windows-949, Big5 -> Big5-HKSCS, ISO-8859-1 -> windows-1252), the superset is used,
// because that is what pages labelled so are actually written in. An empty name means UTF-8.
constexpr std::pair<std::string_view, std::string_view> kLabels[] = {
    {"unicode-1-1-utf-8", ""},
    {"unicode11utf8", ""},
    {"unicode20utf8", ""},
    {"utf-8", ""},
    {"utf8", ""},
    {"x-unicode20utf8", ""},
    // Deliberate deviation (see charset.h): ASCII labels are treated as UTF-8.
    {"us-ascii", ""},
    {"ascii", ""},
    {"ansi_x3.4-1968", ""},
    {"866", "IBM866"},
    {"cp866", "IBM866"},
    {"csibm866", "IBM866"},
    {"ibm866", "IBM866"},
    {"csisolatin2", "ISO-8859-2"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso88592", "ISO-8859-2"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso88593", "ISO-8859-3"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"latin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso88594", "ISO-8859-4"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"latin4", "ISO-8859-4"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso88595", "ISO-8859-5"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"asmo-708", "ISO-8859-6"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"ecma-114", "ISO-8859-6"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso88596", "ISO-8859-6"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"csisolatingreek", "ISO-8859-7"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso88597", "ISO-8859-7"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"csiso88598e", "ISO-8859-8"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"hebrew", "ISO-8859-8"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso88598", "ISO-8859-8"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"visual", "ISO-8859-8"},
    {"csiso88598i", "ISO-8859-8"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"logical", "ISO-8859-8"},
    {"csisolatin6", "ISO-8859-10"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso885910", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"latin6", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso885913", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso885914", "ISO-8859-14"},
    {"csisolatin9", "ISO-8859-15"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso885915", "ISO-8859-15"},
    {"iso_8859-15", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"cskoi8r", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8_r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"csmacintosh", "MACINTOSH"},
    {"mac", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
    {"x-mac-roman", "MACINTOSH"},
    {"dos-874", "WINDOWS-874"},
    {"iso-8859-11", "WINDOWS-874"},
    {"iso8859-11", "WINDOWS-874"},
    {"iso885911", "WINDOWS-874"},
    {"tis-620", "WINDOWS-874"},
    {"windows-874", "WINDOWS-874"},
    {"cp1250", "WINDOWS-1250"},
    {"windows-1250", "WINDOWS-1250"},
    {"x-cp1250", "WINDOWS-1250"},
    {"cp1251", "WINDOWS-1251"},
    {"windows-1251", "WINDOWS-1251"},
    {"x-cp1251", "WINDOWS-1251"},
    {"cp1252", "WINDOWS-1252"},
    {"cp819", "WINDOWS-1252"},
    {"csisolatin1", "WINDOWS-1252"},
    {"ibm819", "WINDOWS-1252"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"iso-ir-100", "WINDOWS-1252"},
    {"iso8859-1", "WINDOWS-1252"},
    {"iso88591", "WINDOWS-1252"},
    {"iso_8859-1", "WINDOWS-1252"},
    {"iso_8859-1:1987", "WINDOWS-1252"},
    {"l1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"windows-1252", "WINDOWS-1252"},
    {"x-cp1252", "WINDOWS-1252"},
    {"cp1253", "WINDOWS-1253"},
    {"windows-1253", "WINDOWS-1253"},
    {"x-cp1253", "WINDOWS-1253"},
    {"cp1254", "WINDOWS-1254"},
    {"csisolatin5", "WINDOWS-1254"},
    {"iso-8859-9", "WINDOWS-1254"},
    {"iso-ir-148", "WINDOWS-1254"},
    {"iso8859-9", "WINDOWS-1254"},
    {"iso88599", "WINDOWS-1254"},
    {"iso_8859-9", "WINDOWS-1254"},
    {"iso_8859-9:1989", "WINDOWS-1254"},
    {"l5", "WINDOWS-1254"},
    {"latin5", "WINDOWS-1254"},
    {"windows-1254", "WINDOWS-1254"},
    {"x-cp1254", "WINDOWS-1254"},
    {"cp1255", "WINDOWS-1255"},
    {"windows-1255", "WINDOWS-1255"},
    {"x-cp1255", "WINDOWS-1255"},
    {"cp1256", "WINDOWS-1256"},
    {"windows-1256", "WINDOWS-1256"},
    {"x-cp1256", "WINDOWS-1256"},
    {"cp1257", "WINDOWS-1257"},
    {"windows-1257", "WINDOWS-1257"},
    {"x-cp1257", "WINDOWS-1257"},
    {"cp1258", "WINDOWS-1258"},
    {"windows-1258", "WINDOWS-1258"},
    {"x-cp1258", "WINDOWS-1258"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"},
    {"x-mac-ukrainian", "MAC-CYRILLIC"},
    {"chinese", "GB18030"},
    {"csgb2312", "GB18030"},
    {"csiso58gb231280", "GB18030"},
    {"gb2312", "GB18030"},
    {"gb_2312", "GB18030"},
    {"gb_2312-80", "GB18030"},
    {"gbk", "GB18030"},
    {"iso-ir-58", "GB18030"},
    {"x-gbk", "GB18030"},
    {"gb18030", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"big5-hkscs", "BIG5-HKSCS"},
    {"cn-big5", "BIG5-HKSCS"},
    {"csbig5", "BIG5-HKSCS"},
    {"x-x-big5", "BIG5-HKSCS"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csshiftjis", "CP932"},
    {"ms932", "CP932"},
    {"ms_kanji", "CP932"},
    {"shift-jis", "CP932"},
    {"shift_jis", "CP932"},
    {"sjis", "CP932"},
    {"windows-31j", "CP932"},
    {"x-sjis", "CP932"},
    {"cseuckr", "CP949"},
    {"csksc56011987", "CP949"},
    {"euc-kr", "CP949"},
    {"iso-ir-149", "CP949"},
    {"korean", "CP949"},
    {"ks_c_5601-1987", "CP949"},
    {"ks_c_5601-1989", "CP949"},
    {"ksc5601", "CP949"},
    {"ksc_5601", "CP949"},
    {"windows-949", "CP949"},
    {"unicodefffe", "UTF-16BE"},
    {"utf-16be", "UTF-16BE"},
    {"csunicode", "UTF-16LE"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicodefeff", "UTF-16LE"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
};

// The iconv name for `label`, or "" for UTF-8 (which includes every unknown label).
std::string_view iconv_name_for_label(std::string_view label) {
  label = trim_ascii_space(label);
  for (const auto& [known, iconv_name] : kLabels) {
    if (equals_ignore_case(label, known)) return iconv_name;
  }
  return "";
}

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvHandle = std::unique_ptr<void, IconvCloser>;

// Decodes with iconv, turning every byte sequence iconv rejects into U+FFFD and carrying on, so
// one bad byte costs one character instead of the rest of the page.
std::string convert_with_iconv(std::string_view bytes, std::string_view iconv_name) {
  const std::string from(iconv_name);
  const iconv_t raw = iconv_open("UTF-8", from.c_str());
  if (reinterpret_cast<std::intptr_t>(raw) == -1)
    return replace_invalid_utf8(bytes);  // (iconv_t)-1
  const IconvHandle cd(raw);

  // A rejected UTF-16 code unit (a lone surrogate) is skipped whole, to stay aligned.
  const std::size_t unit = iconv_name.starts_with("UTF-16") ? 2 : 1;
  const bool windows_1252 = iconv_name == "WINDOWS-1252";

  std::string out(bytes.size() + bytes.size() / 2 + 16, '\0');
  std::size_t used = 0;
  const auto ensure_room = [&](std::size_t n) {
    if (out.size() - used < n) out.resize(std::max(out.size() * 2, used + n));
  };

  // iconv's prototype predates const; it never writes through the input pointer.
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  while (true) {
    char* out_ptr = out.data() + used;
    std::size_t out_left = out.size() - used;
    // Once the input is consumed, a null input asks stateful decoders (ISO-2022-JP) to emit what
    // they still hold.
    const bool flushing = in_left == 0;
    const std::size_t rc = flushing ? iconv(cd.get(), nullptr, nullptr, &out_ptr, &out_left)
                                    : iconv(cd.get(), &in, &in_left, &out_ptr, &out_left);
    const int error = errno;
    used = out.size() - out_left;
    if (rc != static_cast<std::size_t>(-1)) {
      if (flushing) break;
      continue;
    }
    if (error == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    if (flushing) break;  // nothing more can be recovered
    ensure_room(kReplacement.size());
    const auto byte = static_cast<unsigned char>(*in);
    if (windows_1252 && error == EILSEQ &&
        (byte == 0x81 || byte == 0x8D || byte == 0x8F || byte == 0x90 || byte == 0x9D)) {
      // WHATWG maps windows-1252's five unassigned bytes to the C1 controls; glibc rejects them.
      out[used++] = static_cast<char>(0xC2);
      out[used++] = static_cast<char>(byte);
    } else {
      out.replace(used, kReplacement.size(), kReplacement);
      used += kReplacement.size();
    }
    // EINVAL: an incomplete sequence at the very end, which becomes a single U+FFFD.
    const std::size_t skip = error == EINVAL ? in_left : std::min(unit, in_left);
    in += skip;
    in_left -= skip;
  }
  out.resize(used);
  // iconv should only ever produce UTF-8, but the guarantee to callers is cheap to enforce.
  if (!is_valid_utf8(out)) {
    std::string replaced;
    append_replacing_invalid_utf8(out, replaced);
    return replaced;
  }
  return out;
}

// The WHATWG "get an attribute" step of the prescan. `pos` is just past the tag name or the
// previous attribute. Returns false when there is no further attribute (at '>' or end of input).
bool next_prescan_attribute(std::string_view s, std::size_t& pos, std::string& name,
                            std::string& value) {
  name.clear();
  value.clear();
  while (pos < s.size() && (is_ascii_space(s[pos]) || s[pos] == '/')) ++pos;
  if (pos >= s.size() || s[pos] == '>') return false;
  while (pos < s.size()) {
    const char c = s[pos];
    if (c == '=' && !name.empty()) break;
    if (is_ascii_space(c) || c == '/' || c == '>') break;
    name.push_back(ascii_lower(c));
    ++pos;
  }
  while (pos < s.size() && is_ascii_space(s[pos])) ++pos;
  if (pos >= s.size() || s[pos] != '=') return true;  // attribute without a value
  ++pos;
  while (pos < s.size() && is_ascii_space(s[pos])) ++pos;
  if (pos >= s.size()) return true;
  if (s[pos] == '"' || s[pos] == '\'') {
    const char quote = s[pos++];
    const std::size_t end = s.find(quote, pos);
    const std::size_t stop = end == std::string_view::npos ? s.size() : end;
    value = ascii_lower_copy(s.substr(pos, stop - pos));
    pos = end == std::string_view::npos ? s.size() : end + 1;
    return true;
  }
  while (pos < s.size() && !is_ascii_space(s[pos]) && s[pos] != '>')
    value.push_back(ascii_lower(s[pos++]));
  return true;
}

// Handles a <meta> tag for the prescan; `pos` is just past "<meta". Returns the charset it
// declares, or "".
std::string prescan_meta(std::string_view s, std::size_t& pos) {
  bool got_pragma = false;
  bool seen_http_equiv = false;
  bool seen_content = false;
  bool seen_charset = false;
  enum class NeedPragma { kUnset, kYes, kNo } need_pragma = NeedPragma::kUnset;
  std::string charset;
  std::string name;
  std::string value;
  while (next_prescan_attribute(s, pos, name, value)) {
    // Only the first occurrence of each attribute counts, as in the tokenizer.
    if (name == "http-equiv" && !seen_http_equiv) {
      seen_http_equiv = true;
      got_pragma = value == "content-type";
    } else if (name == "content" && !seen_content) {
      seen_content = true;
      if (charset.empty()) {
        charset = charset_from_meta_content(value);
        if (!charset.empty()) need_pragma = NeedPragma::kYes;
      }
    } else if (name == "charset" && !seen_charset) {
      seen_charset = true;
      charset = std::string(trim_ascii_space(value));
      need_pragma = NeedPragma::kNo;
    }
  }
  // A tag cut off by the end of the prefix may be missing attributes that would change the answer.
  if (pos >= s.size()) return "";
  if (need_pragma == NeedPragma::kUnset) return "";
  if (need_pragma == NeedPragma::kYes && !got_pragma) return "";
  if (charset.starts_with("utf-16") || charset == "unicode" || charset == "unicodefffe" ||
      charset == "unicodefeff" || charset == "csunicode" || charset == "ucs-2" ||
      charset == "iso-10646-ucs-2") {
    return "utf-8";
  }
  return charset;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Most of a typical page is ASCII: check 32 bytes at a time (the compiler vectorises the
    // OR of four words), then eight.
    while (s.size() - i >= 32) {
      std::uint64_t words[4];
      std::memcpy(words, s.data() + i, sizeof words);
      if (((words[0] | words[1] | words[2] | words[3]) & 0x8080808080808080ULL) != 0) break;
      i += 32;
    }
    if (s.size() - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, s.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    std::size_t subpart;
    const std::size_t len = utf8_sequence_length(s.substr(i), &subpart);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string charset_from_content_type(std::string_view content_type) {
  std::size_t pos = content_type.find(';');
  while (pos != std::string_view::npos && pos < content_type.size()) {
    ++pos;  // past ';'
    const std::size_t name_end = content_type.find_first_of(";=", pos);
    const std::string_view name = trim_ascii_space(content_type.substr(
        pos, name_end == std::string_view::npos ? std::string_view::npos : name_end - pos));
    if (name_end == std::string_view::npos) break;
    pos = name_end;
    if (content_type[pos] == ';') continue;  // parameter without '='
    ++pos;                                   // past '='
    while (pos < content_type.size() && is_ascii_space(content_type[pos])) ++pos;
    std::string value;
    if (pos < content_type.size() && content_type[pos] == '"') {
      // RFC 9110 quoted-string: a ';' inside does not end the parameter.
      for (++pos; pos < content_type.size() && content_type[pos] != '"'; ++pos) {
        if (content_type[pos] == '\\' && pos + 1 < content_type.size()) ++pos;
        value.push_back(content_type[pos]);
      }
      pos = content_type.find(';', pos);
    } else {
      const std::size_t end = content_type.find(';', pos);
      value = std::string(content_type.substr(
          pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
      pos = end;
    }
    if (!equals_ignore_case(name, "charset")) continue;
    std::string_view trimmed = trim_ascii_space(value);
    // Some servers single-quote the value, which HTTP does not allow but browsers tolerate.
    if (trimmed.size() >= 2 && trimmed.front() == '\'' && trimmed.back() == '\'') {
      trimmed = trim_ascii_space(trimmed.substr(1, trimmed.size() - 2));
    }
    if (!trimmed.empty()) return ascii_lower_copy(trimmed);
  }
  return "";
}

std::string charset_from_meta_content(std::string_view content) {
  std::size_t pos = 0;
  while (true) {
    std::size_t found = std::string_view::npos;
    for (std::size_t i = pos; i + 7 <= content.size(); ++i) {
      if (equals_ignore_case(content.substr(i, 7), "charset")) {
        found = i;
        break;
      }
    }
    if (found == std::string_view::npos) return "";
    pos = found + 7;
    while (pos < content.size() && is_ascii_space(content[pos])) ++pos;
    if (pos >= content.size() || content[pos] != '=')
      continue;  // "charset" was a prefix of something
    ++pos;
    while (pos < content.size() && is_ascii_space(content[pos])) ++pos;
    if (pos >= content.size()) return "";
    const char c = content[pos];
    if (c == '"' || c == '\'') {
      const std::size_t end = content.find(c, pos + 1);
      if (end == std::string_view::npos) return "";
      return ascii_lower_copy(trim_ascii_space(content.substr(pos + 1, end - pos - 1)));
    }
    std::size_t end = pos;
    while (end < content.size() && !is_ascii_space(content[end]) && content[end] != ';') ++end;
    return ascii_lower_copy(content.substr(pos, end - pos));
  }
}

std::string sniff_meta_charset(std::string_view html_prefix) {
  const std::string_view s = html_prefix.substr(0, 1024);
  std::size_t pos = 0;
  std::string name;
  std::string value;
  while (pos < s.size()) {
    const std::string_view rest = s.substr(pos);
    if (rest.starts_with("<!--")) {
      // The '>' of "-->" must merely follow the '<', so "<!-->" is a complete comment.
      const std::size_t end = s.find("-->", pos + 2);
      if (end == std::string_view::npos) return "";
      pos = end + 3;
    } else if (starts_with_ignore_case(rest, "<meta") && rest.size() > 5 &&
               (is_ascii_space(rest[5]) || rest[5] == '/')) {
      pos += 5;
      std::string charset = prescan_meta(s, pos);
      if (!charset.empty()) return charset;
    } else if (rest.size() >= 2 && rest[0] == '<' &&
               (is_ascii_alpha(rest[1]) ||
                (rest[1] == '/' && rest.size() >= 3 && is_ascii_alpha(rest[2])))) {
      // Any other tag: skip its attributes so that a '>' or "<meta" inside a quoted value is not
      // mistaken for markup.
      pos = s.find_first_of(" \t\n\r\f>", pos);
      if (pos == std::string_view::npos) return "";
      while (next_prescan_attribute(s, pos, name, value)) {
      }
      ++pos;
    } else if (rest.starts_with("<!") || rest.starts_with("</") || rest.starts_with("<?")) {
      pos = s.find('>', pos);
      if (pos == std::string_view::npos) return "";
      ++pos;
    } else {
      ++pos;
    }
  }
  return "";
}

std::string replace_invalid_utf8(std::string_view s) {
  if (is_valid_utf8(s)) return std::string(s);
  std::string out;
  append_replacing_invalid_utf8(s, out);
  return out;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  // A byte order mark beats any label (WHATWG "decode"), and is not part of the text.
  if (bytes.starts_with("\xEF\xBB\xBF")) return replace_invalid_utf8(bytes.substr(3));
  if (bytes.starts_with("\xFF\xFE")) return convert_with_iconv(bytes.substr(2), "UTF-16LE");
  if (bytes.starts_with("\xFE\xFF")) return convert_with_iconv(bytes.substr(2), "UTF-16BE");
  const std::string_view iconv_name = iconv_name_for_label(charset);
  if (iconv_name.empty()) return replace_invalid_utf8(bytes);
  return convert_with_iconv(bytes, iconv_name);
}

std::string move_to_utf8(std::string&& bytes, std::string_view charset) {
  // Most pages are valid UTF-8 already: the buffer is handed back instead of copied. (A UTF-16
  // byte order mark is never valid UTF-8, so only the UTF-8 one needs looking at.)
  if (!bytes.starts_with("\xEF\xBB\xBF") && iconv_name_for_label(charset).empty() &&
      is_valid_utf8(bytes)) {
    return std::move(bytes);
  }
  return to_utf8(std::string_view(bytes), charset);
}

}  // namespace crawler
