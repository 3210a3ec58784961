// The customer import template (docs/IMPORT.md): its columns, Chinese headers as a Chinese
// CRM template names them with English aliases, the header check, and turning one row of
// cells into a validated, normalized v1::Customer with per-column errors. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::domain {

enum class ImportColumn {
  kCustomerId,
  kName,
  kContactPerson,
  kContactPhone,
  kIndustry,
  kType,
  kFirstContactAt,
  kSource,
  kEnterpriseSize,
  kEnterpriseType,
  kNeeds,
  kNotes,
  kOwner,
  kDepartment,
  kTeam,
  kFollowUpStage,
  kProvince,
  kCity,
  kDistrict,
  kEmail,
  kCarModel,
  kVin,
  kPlate,
  kPurchasedAt,
  // "自定义:<name>" / "custom:<name>": a custom field.
  kCustom,
};

struct ImportColumnSpec {
  ImportColumn column;
  // The header of the template ("联系电话").
  std::string_view header;
  // Other accepted headers: the English name first ("contact_phone"), then variants.
  std::vector<std::string_view> aliases;
  // The Customer field it fills, as cleansing names it ("contact_phone", "region.city").
  std::string_view customer_field;
  // The header must be present and every row must fill it.
  bool required;
};

// Every fixed column, in template order.
const std::vector<ImportColumnSpec>& ImportColumns();

// The columns of one file, in the file's order, as its header names them.
struct ImportLayout {
  struct Column {
    // Null for a custom field column.
    const ImportColumnSpec* spec = nullptr;
    // The header as written in the file, trimmed: used in error reports.
    std::string header;
    // For a custom field column, the field name.
    std::string custom_name;
  };
  std::vector<Column> columns;
};

// Checks a header row: every column known, none twice, every required one present.
// INVALID_ARGUMENT listing every problem ("unknown column 'X'; missing required column
// 联系电话 (contact_phone)") otherwise.
absl::StatusOr<ImportLayout> ParseImportHeader(const std::vector<std::string>& headers);

struct ImportOptions {
  // Offset from UTC of the dates and times in the file (China Standard Time by default).
  int utc_offset_minutes = 8 * 60;
  // Region for phone numbers written without a country code.
  std::string default_region = "CN";
};

// A problem with one cell (or, with an empty column, with the whole row).
struct ImportFieldError {
  // The column's header as written in the file.
  std::string column;
  std::string reason;
};

struct ImportRowResult {
  // The customer the row describes: trimmed, normalized by cleansing, with a customer id
  // (derived from the phone when the row has none). Meaningful only without errors.
  v1::Customer customer;
  // Every problem of the row; empty when it can be imported.
  std::vector<ImportFieldError> errors;
};

// Parses one data row's cells (in layout order; missing trailing cells count as empty):
// dates, customer type, VIN and required cells, then cleanses the customer (phone to
// E.164, vocabularies) and, when the row has no customer id, derives one from the phone so
// that importing the same file again gives the same ids.
ImportRowResult ValidateImportRow(const ImportLayout& layout, const std::vector<std::string>& cells,
                                  const ImportOptions& options);

// The column (as the file names it) that holds Customer field `field` ("contact_phone",
// "region.city", "custom_fields.渠道"); `field` itself when no column does.
std::string ColumnForField(const ImportLayout& layout, std::string_view field);

}  // namespace custflow::domain
