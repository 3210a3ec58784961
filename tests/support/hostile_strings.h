// Strings that try to change a query or a key: the injection tests of every service send
// each through every filter and search field and expect a literal match or a refusal.
#pragma once

#include <string>
#include <vector>

namespace custflow::testing {

struct Hostile {
  const char* label;
  std::string value;
  // Protobuf refuses to parse strings that are not UTF-8, so such values can never reach a
  // stored profile; they are only sent as filter values.
  bool storable = true;
};

// SQL quoting and comments, Redis range and key syntax, glob and LIKE characters, NUL,
// invalid UTF-8, a long string and Chinese text.
inline std::vector<Hostile> HostileStrings() {
  return {
      {"quote", "'"},
      {"escaped quote", "\\'"},
      {"backslashes", "\\\\"},
      {"or always true", "' OR 1=1 --"},
      {"drop table", "'; DROP TABLE interactions; --"},
      {"block comment", "/* */"},
      {"union", "' UNION SELECT name FROM system.tables --"},
      {"newline", "x\ny"},
      {"embedded NUL", std::string("a\0b", 3)},
      {"percent", "%"},
      {"underscore", "_"},
      {"star", "*"},
      {"question mark", "?"},
      {"character class", "[a-z]"},
      {"overlong slash, two bytes", "\xC0\xAF", false},
      {"overlong slash, three bytes", "\xE0\x80\xAF", false},
      {"lone continuation bytes", "\x80\xBF", false},
      {"10000 characters", std::string(10'000, 'q') + "'"},
      {"Chinese", "广东省'深圳"},
      {"backtick", "`"},
      {"dollar placeholder", "$1"},
      {"braces", "{}"},
      {"Redis range bound", "(+"},
      {"Redis index key", "owner=x"},
  };
}

}  // namespace custflow::testing
