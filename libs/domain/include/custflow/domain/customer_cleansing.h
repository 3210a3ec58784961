// Cleansing of customer master data: validation plus the normalizations that fix clear
// errors only (phone format, vocabulary words, white space), keeping what was entered in
// `original_values`. Pure; used for new customers, edits and imports alike.
#pragma once

#include <string>
#include <vector>

#include "custflow/v1/common.pb.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::domain {

struct CleansingOptions {
  // Region for phone numbers written without a country code.
  std::string default_region = "CN";
  // Report empty key fields as violations: on for new customers and imports.
  bool require_key_fields = false;
};

// The key fields of DOMAIN §1, as Customer field names: name, contact_person,
// contact_phone, industry, type.
const std::vector<std::string>& KeyFields();

// The key fields `customer` leaves empty (blank text, unspecified type), in KeyFields order.
std::vector<std::string> MissingKeyFields(const v1::Customer& customer);

// Validates and normalizes `customer` in place: trims text, contact_phone to E.164,
// email lower case, industry / enterprise_type / enterprise_size / region words to the
// standard vocabulary. A value changed is kept in original_values under its field
// name ("contact_phone", "region.city"), so nothing entered is lost. Returns every
// problem with field = the Customer field name and a human reason ("is not a phone
// number"); a customer with violations is left unchanged.
std::vector<v1::FieldViolation> CleanseCustomer(v1::Customer& customer, const CleansingOptions& options);

}  // namespace custflow::domain
