// Debian 12's Abseil (20220623) has its own absl::string_view, distinct from
// std::string_view, so views cross into absl::StrCat and absl::Status through this.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace custflow::clickhouse {

inline absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace custflow::clickhouse
