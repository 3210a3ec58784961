// Vehicle identification numbers (ISO 3779, GB 16735 in China): 17 characters from digits
// and capital letters other than I, O and Q, with a check digit in position 9.
#pragma once

#include <string_view>

namespace custflow::sample {

inline constexpr size_t kVinLength = 17;

// The check digit ('0'-'9' or 'X') for `vin`, whose position 9 is ignored. Needs 17
// characters from the VIN alphabet; anything else is a programming error.
char VinCheckDigit(std::string_view vin);

// 17 characters from the VIN alphabet with the right check digit.
bool IsValidVin(std::string_view vin);

}  // namespace custflow::sample
