// HTML named character references ("&amp;", "&copy", ...): the lookup half of the WHATWG
// "named character reference state". Callers apply the context rules (the attribute-value
// exception for legacy names without ';').
#pragma once

#include <cstddef>
#include <string_view>

namespace crawler {

struct NamedReference {
  std::size_t length =
      0;  // characters of `s` the name takes, ';' included when it has one; 0: none
  std::string_view value;  // the characters it stands for, UTF-8
};

// The longest named character reference at the start of `s`, the text just after an '&', as the
// standard's "consume the maximum number of characters possible" rule picks it: "notin;" over
// "not", and "not" in "&notit;" (a legacy name, valid without ';').
NamedReference match_named_reference(std::string_view s);

}  // namespace crawler
