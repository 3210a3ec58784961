// Fuzz target: a customer CSV file as ProfileService.ImportCustomers and `custflow import`
// read it: bytes decoded to UTF-8 (auto, UTF-8 or GBK, picked by the first input byte),
// records read, the first one checked as the header, every other one validated and
// cleansed into a Customer. When the header is refused, the rows are read against the
// template's own columns so that row validation is reached from any input. Checks: an
// imported customer is already clean (cleansing it again changes nothing and finds
// nothing) and always has a customer id.
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/domain/csv_reader.h"
#include "custflow/domain/customer_cleansing.h"
#include "custflow/domain/import_template.h"

namespace custflow::domain {
namespace {

// The template's fixed columns in template order, as `custflow import-template` writes them.
const ImportLayout& TemplateLayout() {
  static const ImportLayout* layout = [] {
    std::vector<std::string> headers;
    for (const ImportColumnSpec& spec : ImportColumns()) headers.emplace_back(spec.header);
    absl::StatusOr<ImportLayout> parsed = ParseImportHeader(headers);
    if (!parsed.ok()) std::abort();
    return new ImportLayout(*std::move(parsed));
  }();
  return *layout;
}

void CheckImported(const v1::Customer& customer) {
  if (customer.customer_id().empty()) std::abort();
  v1::Customer again = customer;
  std::vector<v1::FieldViolation> violations = CleanseCustomer(again, {});
  if (!violations.empty() || !google::protobuf::util::MessageDifferencer::Equals(again, customer))
    std::abort();
}

constexpr CsvEncoding kEncodings[] = {CsvEncoding::kAuto, CsvEncoding::kUtf8, CsvEncoding::kGbk};
constexpr size_t kMaxRows = 200;

}  // namespace
}  // namespace custflow::domain

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace custflow::domain;
  if (size == 0) return 0;
  const CsvEncoding encoding = kEncodings[data[0] % std::size(kEncodings)];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  absl::StatusOr<std::string> text = DecodeToUtf8(bytes, encoding);
  if (!text.ok()) return 0;

  CsvReader reader(*text);
  std::optional<ImportLayout> layout;
  for (size_t records = 0; records < kMaxRows; ++records) {
    absl::StatusOr<std::optional<CsvRow>> row = reader.Next();
    if (!row.ok() || !row->has_value()) break;
    const std::vector<std::string>& cells = (*row)->cells;
    if (!layout) {
      absl::StatusOr<ImportLayout> header = ParseImportHeader(cells);
      layout = header.ok() ? *std::move(header) : TemplateLayout();
      for (std::string_view field : {"customer_id", "contact_phone", "region.city", "custom_fields.x"}) {
        ColumnForField(*layout, field);
      }
      if (header.ok()) continue;
    }
    ImportRowResult result = ValidateImportRow(*layout, cells, {});
    if (result.errors.empty()) CheckImported(result.customer);
  }
  return 0;
}
