// Duplicate detection: customers that look like the same one by normalized contact phone,
// normalized name, or both. Pure; the profile service runs it over stored customers and
// the quality report counts its groups.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/profile.pb.h"

namespace custflow::domain {

// The form names are compared in: full-width forms to ASCII, lower case, without white
// space, punctuation and trailing legal-form words ("有限公司", "股份有限公司", "集团",
// "Co., Ltd.", "Inc."). "深圳市华为技术有限公司" -> "深圳市华为技术";
// "Northstar Trading (Shenzhen) Co., Ltd." -> "northstartradingshenzhen". Empty when
// nothing is left.
std::string NormalizeCustomerName(std::string_view name);

// The form phones are compared in: E.164 when the number parses (without a country code
// as one of `default_region`), otherwise its digits. Empty when it has no digits.
std::string NormalizePhoneForDuplicates(const std::string& phone, const std::string& default_region);

// Groups of two or more customers that match by `rule` (unspecified: phone groups, then
// name groups). Customers with an empty phone or name do not match by it. Groups are in
// rule order, then by key; ids in each group in id order, with one evidence line
// "id: name / phone" per customer; a customer id given twice counts once.
std::vector<v1::DuplicateGroup> FindDuplicateGroups(const std::vector<v1::Customer>& customers,
                                                    v1::DuplicateRule rule,
                                                    const std::string& default_region = "CN");

// The phones in `group`'s key and evidence masked (pii.h), for a caller without PII rights.
void MaskPii(v1::DuplicateGroup& group);

}  // namespace custflow::domain
