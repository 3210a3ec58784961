#include "custflow/domain/import_template.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "custflow/domain/customer_cleansing.h"
#include "custflow/domain/identity.h"
#include "custflow/domain/text.h"

namespace custflow::domain {
namespace {

using Column = ImportColumn;

constexpr std::string_view kCustomPrefixes[] = {"自定义:", "自定义：", "custom:"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Matches(const ImportColumnSpec& spec, std::string_view header) {
  if (header == spec.header) return true;
  std::string lower = Lower(header);
  return std::any_of(spec.aliases.begin(), spec.aliases.end(),
                     [&](std::string_view alias) { return lower == Lower(alias); });
}

std::optional<std::string> CustomFieldName(std::string_view header) {
  for (std::string_view prefix : kCustomPrefixes) {
    if (Lower(header.substr(0, prefix.size())) == prefix) return TrimSpace(header.substr(prefix.size()));
  }
  return std::nullopt;
}

// Reads an unsigned number of 1 to `max_digits` digits at the front of `text`.
std::optional<int> TakeNumber(std::string_view& text, size_t max_digits) {
  size_t digits = 0;
  while (digits < text.size() && digits < max_digits &&
         std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) value = value * 10 + (text[i] - '0');
  text.remove_prefix(digits);
  return value;
}

bool TakeAny(std::string_view& text, std::initializer_list<std::string_view> separators) {
  for (std::string_view separator : separators) {
    if (text.starts_with(separator)) {
      text.remove_prefix(separator.size());
      return true;
    }
  }
  return false;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// 2026-03-05, 2026/3/5, 2026.3.5 or 2026年3月5日, optionally followed by HH:MM[:SS];
// seconds since the epoch, or nullopt when `text` is none of these or no real date.
std::optional<int64_t> ParseDateTime(std::string_view text, int utc_offset_minutes) {
  std::optional<int> year = TakeNumber(text, 4);
  if (!year || *year < 1900) return std::nullopt;
  bool chinese = TakeAny(text, {"年"});
  if (!chinese && !TakeAny(text, {"-", "/", "."})) return std::nullopt;
  std::optional<int> month = TakeNumber(text, 2);
  if (!month || !TakeAny(text, chinese ? std::initializer_list<std::string_view>{"月"}
                                       : std::initializer_list<std::string_view>{"-", "/", "."})) {
    return std::nullopt;
  }
  std::optional<int> day = TakeNumber(text, 2);
  if (!day || (chinese && !TakeAny(text, {"日", "号"}))) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month)) return std::nullopt;
  int hour = 0, minute = 0, second = 0;
  if (!text.empty()) {
    if (!TakeAny(text, {" ", "T"})) return std::nullopt;
    while (text.starts_with(' ')) text.remove_prefix(1);
    std::optional<int> h = TakeNumber(text, 2);
    if (!h || !TakeAny(text, {":"})) return std::nullopt;
    std::optional<int> m = TakeNumber(text, 2);
    if (!m) return std::nullopt;
    std::optional<int> s = 0;
    if (TakeAny(text, {":"})) s = TakeNumber(text, 2);
    if (!s || !text.empty() || *h > 23 || *m > 59 || *s > 59) return std::nullopt;
    hour = *h, minute = *m, second = *s;
  }
  int64_t days = DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  return days * 86400 + hour * 3600 + minute * 60 + second - int64_t{utc_offset_minutes} * 60;
}

std::optional<v1::CustomerType> ParseCustomerType(std::string_view text) {
  static const std::map<std::string, v1::CustomerType> kTypes = {{"潜在客户", v1::CUSTOMER_TYPE_POTENTIAL},
                                                                 {"潜在", v1::CUSTOMER_TYPE_POTENTIAL},
                                                                 {"potential", v1::CUSTOMER_TYPE_POTENTIAL},
                                                                 {"成交客户", v1::CUSTOMER_TYPE_CLOSED},
                                                                 {"已成交", v1::CUSTOMER_TYPE_CLOSED},
                                                                 {"成交", v1::CUSTOMER_TYPE_CLOSED},
                                                                 {"closed", v1::CUSTOMER_TYPE_CLOSED},
                                                                 {"won", v1::CUSTOMER_TYPE_CLOSED},
                                                                 {"流失客户", v1::CUSTOMER_TYPE_LOST},
                                                                 {"流失", v1::CUSTOMER_TYPE_LOST},
                                                                 {"lost", v1::CUSTOMER_TYPE_LOST}};
  auto it = kTypes.find(Lower(text));
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

// A VIN is 17 letters and digits without I, O and Q (ISO 3779); lower case is accepted and
// upper-cased.
std::optional<std::string> NormalizeVin(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  std::string vin;
  for (char c : text) {
    char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool allowed = std::isdigit(static_cast<unsigned char>(upper)) || (upper >= 'A' && upper <= 'Z');
    if (!allowed || upper == 'I' || upper == 'O' || upper == 'Q') return std::nullopt;
    vin.push_back(upper);
  }
  return vin;
}

google::protobuf::Timestamp Seconds(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  return timestamp;
}

// Fills `customer` from the cells; records what cannot be parsed.
class RowParser {
 public:
  RowParser(const ImportOptions& options, ImportRowResult& result) : options_(options), result_(result) {}

  void Cell(const ImportLayout::Column& column, std::string_view value) {
    if (value.empty()) {
      if (column.spec != nullptr && column.spec->required) Error(column, "is required");
      return;
    }
    if (column.spec == nullptr) {
      (*customer().mutable_custom_fields())[column.custom_name] = std::string(value);
      return;
    }
    Fixed(column, value);
  }

 private:
  v1::Customer& customer() { return result_.customer; }
  v1::Vehicle& vehicle() {
    if (customer().vehicles_size() == 0) customer().add_vehicles();
    return *customer().mutable_vehicles(0);
  }
  void Error(const ImportLayout::Column& column, std::string reason) {
    result_.errors.push_back({.column = column.header, .reason = std::move(reason)});
  }
  std::optional<google::protobuf::Timestamp> Date(const ImportLayout::Column& column,
                                                  std::string_view value) {
    // Chinese input methods may type full-width digits and separators ("２０２６－３－５").
    std::optional<int64_t> seconds = ParseDateTime(ToHalfWidth(value), options_.utc_offset_minutes);
    if (!seconds) {
      Error(column, "'" + std::string(value) +
                        "' is not a date (use 2026-03-05, 2026/3/5, 2026-03-05 14:30 or 2026年3月5日)");
      return std::nullopt;
    }
    return Seconds(*seconds);
  }

  void Fixed(const ImportLayout::Column& column, std::string_view value) {
    std::string text(value);
    v1::Customer& c = customer();
    switch (column.spec->column) {
      case Column::kCustomerId:
        c.set_customer_id(text);
        break;
      case Column::kName:
        c.set_name(text);
        break;
      case Column::kContactPerson:
        c.set_contact_person(text);
        break;
      case Column::kContactPhone:
        c.set_contact_phone(text);
        break;
      case Column::kIndustry:
        c.set_industry(text);
        break;
      case Column::kType:
        if (std::optional<v1::CustomerType> type = ParseCustomerType(value)) {
          c.set_type(*type);
        } else {
          Error(column, "'" + text + "' is not a customer type (use 潜在客户, 成交客户 or 流失客户)");
        }
        break;
      case Column::kFirstContactAt:
        if (auto at = Date(column, value)) *c.mutable_first_contact_at() = *at;
        break;
      case Column::kSource:
        c.set_source(text);
        break;
      case Column::kEnterpriseSize:
        c.set_enterprise_size(text);
        break;
      case Column::kEnterpriseType:
        c.set_enterprise_type(text);
        break;
      case Column::kNeeds:
        c.set_needs(text);
        break;
      case Column::kNotes:
        c.set_notes(text);
        break;
      case Column::kOwner:
        c.set_owner(text);
        break;
      case Column::kDepartment:
        c.set_department(text);
        break;
      case Column::kTeam:
        c.set_team(text);
        break;
      case Column::kFollowUpStage:
        c.set_follow_up_stage(text);
        break;
      case Column::kProvince:
        c.mutable_region()->set_province(text);
        break;
      case Column::kCity:
        c.mutable_region()->set_city(text);
        break;
      case Column::kDistrict:
        c.mutable_region()->set_district(text);
        break;
      case Column::kEmail:
        c.set_email(text);
        break;
      case Column::kCarModel:
        vehicle().set_car_model(text);
        break;
      case Column::kVin:
        if (std::optional<std::string> vin = NormalizeVin(ToHalfWidth(value))) {
          vehicle().set_vin(*vin);
        } else {
          Error(column, "'" + text + "' is not a VIN (17 letters and digits, no I, O or Q)");
        }
        break;
      case Column::kPlate:
        vehicle().set_plate(text);
        break;
      case Column::kPurchasedAt:
        if (auto at = Date(column, value)) *vehicle().mutable_purchased_at() = *at;
        break;
      case Column::kCustom:
        break;
    }
  }

  const ImportOptions& options_;
  ImportRowResult& result_;
};

bool HasErrorFor(const ImportRowResult& result, const std::string& column) {
  return std::any_of(result.errors.begin(), result.errors.end(),
                     [&](const ImportFieldError& error) { return error.column == column; });
}

}  // namespace

const std::vector<ImportColumnSpec>& ImportColumns() {
  static const std::vector<ImportColumnSpec> kColumns = {
      {Column::kCustomerId, "客户编号", {"customer_id", "客户ID", "客户id"}, "customer_id", false},
      {Column::kName, "客户名称", {"name", "customer_name"}, "name", true},
      {Column::kContactPerson, "联系人", {"contact_person"}, "contact_person", true},
      {Column::kContactPhone, "联系电话", {"contact_phone", "phone"}, "contact_phone", true},
      {Column::kIndustry, "行业", {"industry"}, "industry", true},
      {Column::kType, "客户类型", {"type", "customer_type"}, "type", true},
      {Column::kFirstContactAt, "首次接触时间", {"first_contact_at"}, "first_contact_at", false},
      {Column::kSource, "客户来源", {"source"}, "source", false},
      {Column::kEnterpriseSize, "企业规模", {"enterprise_size"}, "enterprise_size", false},
      {Column::kEnterpriseType, "企业类型", {"enterprise_type"}, "enterprise_type", false},
      {Column::kNeeds, "需求描述", {"needs"}, "needs", false},
      {Column::kNotes, "备注", {"notes"}, "notes", false},
      {Column::kOwner, "负责人", {"owner"}, "owner", false},
      {Column::kDepartment, "部门", {"department"}, "department", false},
      {Column::kTeam, "团队", {"team"}, "team", false},
      {Column::kFollowUpStage, "跟进阶段", {"follow_up_stage"}, "follow_up_stage", false},
      {Column::kProvince, "省份", {"province"}, "region.province", false},
      {Column::kCity, "城市", {"city"}, "region.city", false},
      {Column::kDistrict, "区县", {"district"}, "region.district", false},
      {Column::kEmail, "邮箱", {"email", "电子邮箱"}, "email", false},
      {Column::kCarModel, "车型", {"car_model"}, "vehicles.car_model", false},
      {Column::kVin, "车架号(VIN)", {"vin", "车架号", "车架号（VIN）", "VIN"}, "vehicles.vin", false},
      {Column::kPlate, "车牌号", {"plate"}, "vehicles.plate", false},
      {Column::kPurchasedAt, "购车日期", {"purchased_at", "purchase_date"}, "vehicles.purchased_at", false},
  };
  return kColumns;
}

absl::StatusOr<ImportLayout> ParseImportHeader(const std::vector<std::string>& headers) {
  ImportLayout layout;
  std::vector<std::string> problems;
  std::map<std::string, size_t> seen;  // column identity -> 1-based position
  for (size_t i = 0; i < headers.size(); ++i) {
    ImportLayout::Column column;
    column.header = TrimSpace(headers[i]);
    std::string identity;
    if (std::optional<std::string> custom = CustomFieldName(column.header)) {
      if (custom->empty()) {
        problems.push_back("column " + std::to_string(i + 1) + " '" + column.header +
                           "' names no custom field");
        continue;
      }
      column.custom_name = *custom;
      identity = "custom:" + *custom;
    } else {
      auto spec = std::find_if(ImportColumns().begin(), ImportColumns().end(),
                               [&](const ImportColumnSpec& s) { return Matches(s, column.header); });
      if (spec == ImportColumns().end()) {
        problems.push_back(column.header.empty() ? "column " + std::to_string(i + 1) + " has no header"
                                                 : "unknown column '" + column.header + "'");
        continue;
      }
      column.spec = &*spec;
      identity = std::string(spec->header);
    }
    if (auto [it, added] = seen.emplace(identity, i + 1); !added) {
      problems.push_back("column '" + column.header + "' appears twice (columns " +
                         std::to_string(it->second) + " and " + std::to_string(i + 1) + ")");
      continue;
    }
    layout.columns.push_back(std::move(column));
  }
  for (const ImportColumnSpec& spec : ImportColumns()) {
    if (spec.required && !seen.contains(std::string(spec.header))) {
      problems.push_back("missing required column " + std::string(spec.header) + " (" +
                         std::string(spec.aliases.front()) + ")");
    }
  }
  if (problems.empty()) return layout;
  std::string message = "bad header: ";
  for (size_t i = 0; i < problems.size(); ++i) message += (i == 0 ? "" : "; ") + problems[i];
  return absl::InvalidArgumentError(message);
}

std::string ColumnForField(const ImportLayout& layout, std::string_view field) {
  for (const ImportLayout::Column& column : layout.columns) {
    if (column.spec != nullptr && column.spec->customer_field == field) return column.header;
    if (column.spec == nullptr && (field == "custom_fields." + column.custom_name ||
                                   field == "custom_fields[\"" + column.custom_name + "\"]")) {
      return column.header;
    }
  }
  // Vehicle fields may come indexed ("vehicles[0].vin"): match on the last part.
  if (field.starts_with("vehicles")) {
    std::string_view leaf = field.substr(field.rfind('.') + 1);
    for (const ImportLayout::Column& column : layout.columns) {
      if (column.spec != nullptr && column.spec->customer_field == "vehicles." + std::string(leaf)) {
        return column.header;
      }
    }
  }
  return std::string(field);
}

ImportRowResult ValidateImportRow(const ImportLayout& layout, const std::vector<std::string>& cells,
                                  const ImportOptions& options) {
  ImportRowResult result;
  if (cells.size() > layout.columns.size()) {
    result.errors.push_back({.column = "",
                             .reason = "the row has " + std::to_string(cells.size()) +
                                       " cells but the header has " + std::to_string(layout.columns.size()) +
                                       " columns"});
    return result;
  }
  RowParser parser(options, result);
  for (size_t i = 0; i < layout.columns.size(); ++i) {
    parser.Cell(layout.columns[i], i < cells.size() ? TrimSpace(cells[i]) : std::string());
  }
  CleansingOptions cleansing{.default_region = options.default_region, .require_key_fields = true};
  for (const v1::FieldViolation& violation : CleanseCustomer(result.customer, cleansing)) {
    std::string column = ColumnForField(layout, violation.field());
    // A cell the parser already refused is reported once, with the parser's reason.
    if (!HasErrorFor(result, column))
      result.errors.push_back({.column = column, .reason = violation.description()});
  }
  if (result.errors.empty() && result.customer.customer_id().empty()) {
    result.customer.set_customer_id(DeriveCustomerId(
        {.kind = IdentityKind::kPhone, .value = NormalizePhone(result.customer.contact_phone())}));
  }
  return result;
}

}  // namespace custflow::domain
