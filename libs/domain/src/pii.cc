#include "custflow/domain/pii.h"

#include <cctype>
#include <functional>

namespace custflow::domain {
namespace {

constexpr std::string_view kPhoneField = "contact_phone";
constexpr std::string_view kEmailField = "email";

bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The mask of `field`'s values, or an empty function for a field that is not PII.
std::function<std::string(std::string_view)> MaskerOf(std::string_view field) {
  if (field == kPhoneField) return MaskPhone;
  if (field == kEmailField) return MaskEmail;
  return nullptr;
}

}  // namespace

std::string MaskPhone(std::string_view phone) {
  size_t digits = 0;
  for (char c : phone) digits += IsDigit(c) ? 1 : 0;
  std::string masked(phone);
  size_t index = 0;
  for (char& c : masked) {
    if (!IsDigit(c)) continue;
    const bool hidden = digits >= 8 ? index + 8 >= digits && index + 4 < digits : index + 2 < digits;
    if (hidden) c = '*';
    ++index;
  }
  return masked;
}

std::string MaskEmail(std::string_view email) {
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(email.substr(0, 1)) + "***" + std::string(email.substr(at));
}

std::string MaskFieldValue(std::string_view field, std::string_view json_value) {
  auto mask = MaskerOf(field);
  if (!mask || json_value.empty()) return std::string(json_value);
  // Inside the quotes of a JSON string.
  if (json_value.size() >= 2 && json_value.front() == '"' && json_value.back() == '"')
    return "\"" + mask(json_value.substr(1, json_value.size() - 2)) + "\"";
  return mask(json_value);
}

void MaskPii(v1::Customer& customer) {
  if (!customer.contact_phone().empty()) customer.set_contact_phone(MaskPhone(customer.contact_phone()));
  if (!customer.email().empty()) customer.set_email(MaskEmail(customer.email()));
  for (auto& [field, value] : *customer.mutable_original_values()) {
    if (auto mask = MaskerOf(field)) value = mask(value);
  }
}

void MaskPii(v1::Profile& profile) {
  MaskPii(*profile.mutable_customer());
  for (std::string& identity : *profile.mutable_identities()) {
    const size_t colon = identity.find(':');
    if (colon == std::string::npos) continue;
    const std::string_view kind = std::string_view(identity).substr(0, colon);
    const std::string_view value = std::string_view(identity).substr(colon + 1);
    if (kind == "phone") identity = identity.substr(0, colon + 1) + MaskPhone(value);
    if (kind == "email") identity = identity.substr(0, colon + 1) + MaskEmail(value);
  }
  for (v1::FieldChange& change : *profile.mutable_master_change()->mutable_fields()) {
    change.set_old_value(MaskFieldValue(change.field(), change.old_value()));
    change.set_new_value(MaskFieldValue(change.field(), change.new_value()));
  }
}

}  // namespace custflow::domain
