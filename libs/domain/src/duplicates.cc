// Duplicate detection (custflow/domain/duplicates.h).
#include "custflow/domain/duplicates.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "custflow/domain/phone_number.h"
#include "custflow/domain/pii.h"
#include "custflow/domain/text.h"

namespace custflow::domain {
namespace {

// Legal-form words that end English company names, after punctuation became spaces.
constexpr auto kEnglishLegalForms =
    std::to_array<std::string_view>({"co", "company", "corp", "corporation", "gmbh", "group", "inc",
                                     "incorporated", "limited", "llc", "ltd", "plc"});
// Chinese legal forms, longest first so that "股份有限公司" goes as one.
constexpr auto kChineseLegalForms = std::to_array<std::string_view>(
    {"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司"});
constexpr std::string_view kMiddleDot = "\u00B7";

// The length of the punctuation mark or space `text` starts with, 0 when it starts with
// none. Beyond ASCII: the middle dot, the CJK symbols and punctuation U+3001-U+303F
// (、。《》「」【】) and general punctuation U+2010-U+205E (“”‘’—…); full-width ASCII
// forms such as （） were folded to ASCII before.
size_t PunctuationLength(std::string_view text) {
  unsigned char lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return absl::ascii_isalnum(lead) ? 0 : 1;
  if (text.starts_with(kMiddleDot)) return kMiddleDot.size();
  if (text.size() < 3) return 0;
  unsigned char second = static_cast<unsigned char>(text[1]);
  unsigned char third = static_cast<unsigned char>(text[2]);
  // U+3001-U+303F: E3 80 81 - E3 80 BF.
  if (lead == 0xE3 && second == 0x80 && third >= 0x81) return 3;
  // U+2010-U+205E: E2 80 90 - E2 81 9E.
  if (lead == 0xE2 && ((second == 0x80 && third >= 0x90) || (second == 0x81 && third <= 0x9E))) return 3;
  return 0;
}

// Lower-case words of `name`, split at white space and punctuation.
std::vector<std::string> Words(std::string_view name) {
  std::string folded = ToHalfWidth(name);
  absl::AsciiStrToLower(&folded);
  std::vector<std::string> words(1);
  std::string_view rest = folded;
  while (!rest.empty()) {
    if (size_t mark = PunctuationLength(rest)) {
      if (!words.back().empty()) words.emplace_back();
      rest.remove_prefix(mark);
      continue;
    }
    words.back().push_back(rest.front());
    rest.remove_prefix(1);
  }
  if (words.back().empty()) words.pop_back();
  return words;
}

bool IsEnglishLegalForm(std::string_view word) {
  return std::find(kEnglishLegalForms.begin(), kEnglishLegalForms.end(), word) != kEnglishLegalForms.end();
}

// Removes one Chinese legal form from the end of `name`; false when it ends in none or is
// nothing but one (a name "有限公司" stays a name).
bool StripChineseLegalForm(std::string& name) {
  for (std::string_view form : kChineseLegalForms) {
    if (!std::string_view(name).ends_with(form)) continue;
    if (name.size() == form.size()) return false;
    name.resize(name.size() - form.size());
    return true;
  }
  return false;
}

std::string Evidence(const v1::Customer& customer) {
  return absl::StrCat(customer.customer_id(), ": ", customer.name(), " / ", customer.contact_phone());
}

// Groups the customers by `key_of` (customers with an empty key left out), ids in order.
template <typename KeyOf>
void AppendGroups(const std::map<std::string, const v1::Customer*>& by_id, v1::DuplicateRule rule,
                  const KeyOf& key_of, std::vector<v1::DuplicateGroup>& out) {
  std::map<std::string, std::vector<const v1::Customer*>> by_key;
  for (const auto& [id, customer] : by_id) {
    std::string key = key_of(*customer);
    if (!key.empty()) by_key[std::move(key)].push_back(customer);
  }
  for (auto& [key, members] : by_key) {
    if (members.size() < 2) continue;
    v1::DuplicateGroup& group = out.emplace_back();
    group.set_rule(rule);
    group.set_key(key);
    for (const v1::Customer* customer : members) {
      group.add_customer_ids(customer->customer_id());
      group.add_evidence(Evidence(*customer));
    }
  }
}

}  // namespace

std::string NormalizeCustomerName(std::string_view name) {
  std::vector<std::string> words = Words(name);
  while (words.size() > 1 && IsEnglishLegalForm(words.back())) words.pop_back();
  std::string joined;
  for (const std::string& word : words) joined += word;
  while (StripChineseLegalForm(joined)) {
  }
  return joined;
}

std::string NormalizePhoneForDuplicates(const std::string& phone, const std::string& default_region) {
  PhoneResult parsed = NormalizePhoneNumber(phone, default_region);
  if (parsed.error.empty()) return parsed.e164;
  std::string digits;
  std::copy_if(phone.begin(), phone.end(), std::back_inserter(digits),
               [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
  return digits;
}

std::vector<v1::DuplicateGroup> FindDuplicateGroups(const std::vector<v1::Customer>& customers,
                                                    v1::DuplicateRule rule,
                                                    const std::string& default_region) {
  std::map<std::string, const v1::Customer*> by_id;
  for (const v1::Customer& customer : customers) by_id.emplace(customer.customer_id(), &customer);
  auto phone = [&default_region](const v1::Customer& c) {
    return NormalizePhoneForDuplicates(c.contact_phone(), default_region);
  };
  auto name = [](const v1::Customer& c) { return NormalizeCustomerName(c.name()); };
  std::vector<v1::DuplicateGroup> groups;
  if (rule == v1::DUPLICATE_RULE_PHONE || rule == v1::DUPLICATE_RULE_UNSPECIFIED) {
    AppendGroups(by_id, v1::DUPLICATE_RULE_PHONE, phone, groups);
  }
  if (rule == v1::DUPLICATE_RULE_NAME || rule == v1::DUPLICATE_RULE_UNSPECIFIED) {
    AppendGroups(by_id, v1::DUPLICATE_RULE_NAME, name, groups);
  }
  if (rule == v1::DUPLICATE_RULE_PHONE_AND_NAME) {
    AppendGroups(
        by_id, v1::DUPLICATE_RULE_PHONE_AND_NAME,
        [&](const v1::Customer& c) {
          std::string phone_key = phone(c);
          std::string name_key = name(c);
          return phone_key.empty() || name_key.empty() ? std::string()
                                                       : absl::StrCat(phone_key, " / ", name_key);
        },
        groups);
  }
  return groups;
}

void MaskPii(v1::DuplicateGroup& group) {
  constexpr std::string_view kSeparator = " / ";
  // Keys are "phone" or "phone / name"; evidence lines "id: name / phone".
  if (group.rule() == v1::DUPLICATE_RULE_PHONE) group.set_key(MaskPhone(group.key()));
  if (group.rule() == v1::DUPLICATE_RULE_PHONE_AND_NAME) {
    const size_t end = group.key().find(kSeparator);
    group.set_key(MaskPhone(group.key().substr(0, end)) +
                  (end == std::string::npos ? "" : group.key().substr(end)));
  }
  for (std::string& evidence : *group.mutable_evidence()) {
    const size_t start = evidence.rfind(kSeparator);
    if (start == std::string::npos) continue;
    evidence =
        evidence.substr(0, start + kSeparator.size()) + MaskPhone(evidence.substr(start + kSeparator.size()));
  }
}

}  // namespace custflow::domain
