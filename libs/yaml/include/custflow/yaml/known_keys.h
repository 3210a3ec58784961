// The check every YAML file custflow reads makes of its mappings: keys it does not know
// are errors at their position, never silently ignored (a misspelt key would otherwise
// leave its setting at the default).
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

namespace custflow::yaml {

// Reports through `error(mark, reason)` that `map`, called `what` in the message ("a
// rule"), is not a mapping (and returns false), or each of its keys not in `known`.
template <typename ReportError>
bool CheckKnownKeys(const YAML::Node& map, std::string_view what,
                    std::initializer_list<std::string_view> known, ReportError&& error) {
  if (!map.IsMap()) {
    error(map.Mark(), std::string(what) + " must be a mapping");
    return false;
  }
  for (const auto& entry : map) {
    std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string expected;
      for (std::string_view name : known) expected += (expected.empty() ? "" : ", ") + std::string(name);
      error(entry.first.Mark(),
            "unknown key '" + key + "' in " + std::string(what) + " (expected " + expected + ")");
    }
  }
  return true;
}

}  // namespace custflow::yaml
