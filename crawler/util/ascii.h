// ASCII character classes and case-insensitive comparison, written once for the HTML, URL,
// robots.txt and HTTP header code.
//
// Why not <cctype>: its answers depend on the global locale, and a negative char (any byte of
// UTF-8 past ASCII) is undefined behaviour there. Every protocol the crawler reads defines its
// case folding and whitespace over ASCII only, so these look at ASCII only: a byte >= 0x80 is
// never a letter, digit or space and is never changed by case mapping.
//
// Everything is inline (constexpr where possible) and allocation-free but ascii_lower_copy: the
// link scanner and the URL normaliser call these for every byte they read.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace crawler {

constexpr bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
// 0-9, a-f, A-F ('A'-'F' | 0x20 is 'a'-'f'; no other byte maps there).
constexpr bool is_ascii_hex_digit(char c) {
  return is_ascii_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}
// The value of a hex digit; only meaningful when is_ascii_hex_digit(c).
constexpr int hex_digit_value(char c) {
  if (is_ascii_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Two whitespace sets are in use, and they differ in '\v' only; pick by the spec being followed.
//
// HTML, URL and HTTP whitespace ("ASCII whitespace" in the WHATWG standards): space, \t, \n, \r
// and \f. (HTML lists \r too: the input stream turns it into \n.)
constexpr bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
// isspace() in the "C" locale: is_ascii_space plus \v. robots.txt (as Google's parser trims it)
// and code that replaced std::isspace keep this set, so that their behaviour does not change.
constexpr bool is_c_space(char c) { return is_ascii_space(c) || c == '\v'; }

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char ascii_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// A copy of `s` with A-Z lowered (one allocation: the result).
inline std::string ascii_lower_copy(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

// Equal when ASCII case is ignored: header names, schemes, tag and attribute names, labels.
constexpr bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

constexpr bool starts_with_ignore_case(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && equals_ignore_case(s.substr(0, prefix.size()), prefix);
}

// `s` without leading and trailing is_ascii_space characters (a view into `s`).
constexpr std::string_view trim_ascii_space(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// `s` without leading and trailing is_c_space characters (\v included; a view into `s`).
constexpr std::string_view trim_c_space(std::string_view s) {
  while (!s.empty() && is_c_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_c_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace crawler
