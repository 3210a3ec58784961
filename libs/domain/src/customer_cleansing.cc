// Customer cleansing (custflow/domain/customer_cleansing.h). Works on a copy, so that a
// customer with violations is returned untouched.
#include "custflow/domain/customer_cleansing.h"

#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "custflow/domain/phone_number.h"
#include "custflow/domain/text.h"
#include "custflow/domain/vocabulary.h"

namespace custflow::domain {
namespace {

using google::protobuf::FieldDescriptor;

// Longest texts, in characters (code points): free text, and every other field.
constexpr size_t kMaxLongTextCharacters = 2000;
constexpr size_t kMaxTextCharacters = 200;

bool IsLongText(std::string_view field) { return field == "needs" || field == "notes"; }

// A value in its standard form, or why it cannot be normalized.
struct Normalized {
  std::string value;
  std::string error;  // empty when `value` holds
};
using Normalizer = std::function<Normalized(const std::string&)>;

// A vocabulary word maps to its standard form; an unknown word is kept as entered.
Normalizer VocabularyNormalizer(std::optional<std::string> (*lookup)(std::string_view)) {
  return [lookup](const std::string& word) {
    return Normalized{.value = lookup(word).value_or(word), .error = ""};
  };
}

Normalized NormalizePhone(const std::string& phone, const std::string& region) {
  if (phone.empty()) return {};
  PhoneResult result = NormalizePhoneNumber(phone, region);
  return Normalized{.value = std::move(result.e164), .error = std::move(result.error)};
}

Normalized NormalizeEmail(const std::string& email) {
  std::string lower = absl::AsciiStrToLower(email);
  if (!lower.empty() && !IsEmailAddress(lower))
    return {.value = "", .error = "is not a valid e-mail address"};
  return {.value = std::move(lower), .error = ""};
}

class Cleansing {
 public:
  Cleansing(v1::Customer customer, const CleansingOptions& options)
      : customer_(std::move(customer)), options_(options) {}

  std::vector<v1::FieldViolation> Run() {
    TrimAndCheckTexts(customer_, "");
    if (!v1::CustomerType_IsValid(customer_.type())) Violation("type", "is not a known customer type");
    if (options_.require_key_fields) {
      for (const std::string& field : MissingKeyFields(customer_)) Violation(field, "is required");
    }
    const std::string& region = options_.default_region;
    CleanseField("contact_phone", *customer_.mutable_contact_phone(),
                 [&region](const std::string& phone) { return NormalizePhone(phone, region); });
    CleanseField("email", *customer_.mutable_email(), NormalizeEmail);
    CleanseField("industry", *customer_.mutable_industry(), VocabularyNormalizer(StandardIndustry));
    CleanseField("enterprise_type", *customer_.mutable_enterprise_type(),
                 VocabularyNormalizer(StandardEnterpriseType));
    CleanseField("enterprise_size", *customer_.mutable_enterprise_size(),
                 VocabularyNormalizer(StandardEnterpriseSize));
    CleanseRegion();
    return std::move(violations_);
  }

  v1::Customer& customer() { return customer_; }

 private:
  // At most one violation per field: a second problem usually follows from the first.
  void Violation(std::string field, std::string reason) {
    for (const v1::FieldViolation& existing : violations_) {
      if (existing.field() == field) return;
    }
    v1::FieldViolation& violation = violations_.emplace_back();
    violation.set_field(std::move(field));
    violation.set_description(std::move(reason));
  }

  bool HasViolation(std::string_view field) const {
    for (const v1::FieldViolation& existing : violations_) {
      if (existing.field() == field) return true;
    }
    return false;
  }

  // Trims `text` and reports invalid UTF-8 and overlong text under `field`.
  void TrimAndCheck(std::string& text, const std::string& field, size_t max_characters) {
    if (!IsValidUtf8(text)) return Violation(field, "is not valid UTF-8");
    text = TrimSpace(text);
    if (Utf8Length(text) > max_characters) {
      Violation(field, absl::StrCat("is longer than ", max_characters, " characters"));
    }
  }

  // Every string field of `message` (the customer, its region, a vehicle), by reflection so
  // that a field added to the schema is checked too. original_values holds what was
  // entered earlier and is left alone.
  void TrimAndCheckTexts(google::protobuf::Message& message, const std::string& prefix) {
    const google::protobuf::Reflection& reflection = *message.GetReflection();
    const google::protobuf::Descriptor& descriptor = *message.GetDescriptor();
    for (int i = 0; i < descriptor.field_count(); ++i) {
      const FieldDescriptor* field = descriptor.field(i);
      std::string path = prefix + field->name();
      if (field->name() == "original_values") continue;
      if (field->is_map()) {
        CheckMap(message, *field, path);
      } else if (field->is_repeated() && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int k = 0; k < reflection.FieldSize(message, field); ++k) {
          TrimAndCheckTexts(*reflection.MutableRepeatedMessage(&message, field, k),
                            absl::StrCat(path, "[", k, "]."));
        }
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                 reflection.HasField(message, field)) {
        TrimAndCheckTexts(*reflection.MutableMessage(&message, field), path + ".");
      } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING && !field->is_repeated()) {
        std::string text = reflection.GetString(message, field);
        TrimAndCheck(text, path, IsLongText(path) ? kMaxLongTextCharacters : kMaxTextCharacters);
        reflection.SetString(&message, field, std::move(text));
      }
    }
  }

  // The custom fields: a string-to-string map.
  void CheckMap(google::protobuf::Message& message, const FieldDescriptor& field, const std::string& path) {
    if (field.message_type()->map_value()->cpp_type() != FieldDescriptor::CPPTYPE_STRING) return;
    const google::protobuf::Reflection& reflection = *message.GetReflection();
    for (int k = 0; k < reflection.FieldSize(message, &field); ++k) {
      google::protobuf::Message& entry = *reflection.MutableRepeatedMessage(&message, &field, k);
      const google::protobuf::Reflection& entry_reflection = *entry.GetReflection();
      const FieldDescriptor* key_field = entry.GetDescriptor()->map_key();
      const FieldDescriptor* value_field = entry.GetDescriptor()->map_value();
      std::string key = entry_reflection.GetString(entry, key_field);
      if (!IsValidUtf8(key) || Utf8Length(key) > kMaxTextCharacters) {
        Violation(path, absl::StrCat("has a key that is not valid UTF-8 or longer than ", kMaxTextCharacters,
                                     " characters"));
        continue;
      }
      std::string value = entry_reflection.GetString(entry, value_field);
      TrimAndCheck(value, absl::StrCat(path, "[\"", key, "\"]"), kMaxLongTextCharacters);
      entry_reflection.SetString(&entry, value_field, std::move(value));
    }
  }

  // Normalizes `value` (already trimmed) and keeps `original_values[field]` in step: the
  // value as entered when normalization changed it; an earlier entry stays only while it
  // still normalizes to the value.
  void CleanseField(const std::string& field, std::string& value, const Normalizer& normalize) {
    if (HasViolation(field)) return;
    Normalized result = normalize(value);
    if (!result.error.empty()) return Violation(field, std::move(result.error));
    auto& originals = *customer_.mutable_original_values();
    if (result.value != value) {
      originals[field] = std::exchange(value, std::move(result.value));
      return;
    }
    auto earlier = originals.find(field);
    if (earlier != originals.end() && normalize(earlier->second).value != value) originals.erase(earlier);
  }

  // The region's parts are normalized together (a city fills its province), so they are
  // also kept together: earlier originals stay only while they still give the region.
  void CleanseRegion() {
    if (!customer_.has_region() || HasViolation("region.province") || HasViolation("region.city") ||
        HasViolation("region.district")) {
      return;
    }
    const v1::Region entered = customer_.region();
    v1::Region normalized = NormalizeRegion(entered);
    auto& originals = *customer_.mutable_original_values();
    v1::Region restored = entered;
    bool had_originals = false;
    for (const RegionPart& part : kRegionParts) {
      auto earlier = originals.find(part.key);
      if (part.get(entered) == part.get(normalized) && earlier != originals.end()) {
        (restored.*part.set)(earlier->second);
        had_originals = true;
      }
    }
    bool originals_hold =
        !had_originals || NormalizeRegion(restored).SerializeAsString() == normalized.SerializeAsString();
    for (const RegionPart& part : kRegionParts) {
      if (part.get(entered) != part.get(normalized)) {
        originals[part.key] = part.get(entered);
      } else if (!originals_hold) {
        originals.erase(part.key);
      }
    }
    *customer_.mutable_region() = std::move(normalized);
  }

  struct RegionPart {
    std::string key;
    const std::string& (*get)(const v1::Region&);
    void (v1::Region::*set)(const std::string&);
  };
  static inline const RegionPart kRegionParts[] = {
      {"region.province", [](const v1::Region& r) -> const std::string& { return r.province(); },
       &v1::Region::set_province},
      {"region.city", [](const v1::Region& r) -> const std::string& { return r.city(); },
       &v1::Region::set_city},
      {"region.district", [](const v1::Region& r) -> const std::string& { return r.district(); },
       &v1::Region::set_district},
  };

  v1::Customer customer_;
  const CleansingOptions& options_;
  std::vector<v1::FieldViolation> violations_;
};

}  // namespace

const std::vector<std::string>& KeyFields() {
  static const std::vector<std::string>* const fields =
      new std::vector<std::string>{"name", "contact_person", "contact_phone", "industry", "type"};
  return *fields;
}

std::vector<std::string> MissingKeyFields(const v1::Customer& customer) {
  const google::protobuf::Reflection& reflection = *customer.GetReflection();
  std::vector<std::string> missing;
  for (const std::string& name : KeyFields()) {
    const FieldDescriptor* field = customer.GetDescriptor()->FindFieldByName(name);
    bool empty = field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM
                     ? reflection.GetEnumValue(customer, field) == 0
                     : TrimSpace(reflection.GetString(customer, field)).empty();
    if (empty) missing.push_back(name);
  }
  return missing;
}

std::vector<v1::FieldViolation> CleanseCustomer(v1::Customer& customer, const CleansingOptions& options) {
  Cleansing cleansing(customer, options);
  std::vector<v1::FieldViolation> violations = cleansing.Run();
  if (violations.empty()) customer = std::move(cleansing.customer());
  return violations;
}

}  // namespace custflow::domain
