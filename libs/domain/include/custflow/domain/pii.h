// Phones and e-mails as a caller without PII rights (auth::Principal::pii) sees them:
// enough to recognize a customer ("+86138****8000", "z***@example.com"), not to call or
// write to them. Pure; the services mask what they answer such callers.
#pragma once

#include <string>
#include <string_view>

#include "custflow/v1/customer.pb.h"

namespace custflow::domain {

// The four digits before the last four become '*' (with fewer than eight digits, all but
// the last two); everything else, '+' and separators included, stays.
std::string MaskPhone(std::string_view phone);

// The local part's first character and the domain stay: "z***@example.com". Text
// without '@' is masked whole ("***").
std::string MaskEmail(std::string_view email);

// A master-data field's value in the protobuf JSON mapping (FieldChange), masked when the
// field is the contact phone or e-mail, else as it is.
std::string MaskFieldValue(std::string_view field, std::string_view json_value);

// The customer's contact phone and e-mail, and their values as entered.
void MaskPii(v1::Customer& customer);

// The customer as above, the phone and e-mail identities, and the old and new values of
// the contact phone and e-mail in the last master-data change.
void MaskPii(v1::Profile& profile);

}  // namespace custflow::domain
