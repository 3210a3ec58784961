// Phone numbers to E.164 with libphonenumber, the one place the suite parses them: ingest
// for caller ids, cleansing and import for contact phones.
#pragma once

#include <string>

namespace custflow::domain {

struct PhoneResult {
  // The number in E.164 ("+8613800138000"); empty when it is not valid.
  std::string e164;
  // Why the number is not valid ("is not a phone number"); empty when it is.
  std::string error;
};

// Parses `phone`, reading a number without a country code as one of `region` (ISO 3166
// alpha-2, e.g. "CN"). Results are cached, so calling it again for the same number is cheap;
// safe to call from any thread.
PhoneResult NormalizePhoneNumber(const std::string& phone, const std::string& region);

}  // namespace custflow::domain
