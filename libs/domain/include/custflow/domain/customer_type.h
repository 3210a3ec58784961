// The words for customer types used in reports, exports and the CLI.
#pragma once

#include <optional>
#include <string_view>

#include "custflow/v1/customer.pb.h"

namespace custflow::domain {

// "potential", "closed" or "lost"; empty for CUSTOMER_TYPE_UNSPECIFIED.
std::string_view CustomerTypeWord(v1::CustomerType type);

// The type a word of CustomerTypeWord names; nullopt for any other word.
std::optional<v1::CustomerType> CustomerTypeFromWord(std::string_view word);

}  // namespace custflow::domain
