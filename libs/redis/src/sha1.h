// SHA-1 (FIPS 180-4), only to name Lua scripts the way Redis does; not for security.
#pragma once

#include <string>
#include <string_view>

namespace custflow::redis::internal {

// The digest of `data` as 40 lowercase hex digits.
std::string Sha1Hex(std::string_view data);

}  // namespace custflow::redis::internal
