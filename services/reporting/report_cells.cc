// Report cells: number texts by unit, rows and chart settings.
#include "services/reporting/report_cells.h"

#include <utility>

#include "absl/strings/str_format.h"

namespace custflow::reporting {

v1::ReportCell LabelCell(const std::string& text) {
  v1::ReportCell cell;
  cell.set_text(text);
  return cell;
}

v1::ReportCell NumberCell(std::optional<double> value, const std::string& unit) {
  v1::ReportCell cell;
  if (!value.has_value()) {
    cell.set_text("-");
    return cell;
  }
  cell.set_value(*value);
  if (unit == "%") {
    cell.set_text(absl::StrFormat("%.1f %%", *value));
  } else if (unit == "customers" || unit == "complaints" || unit == "calls" || unit == "interactions" ||
             unit == "seconds") {
    cell.set_text(absl::StrFormat("%.0f", *value));
  } else {
    cell.set_text(absl::StrFormat("%.2f", *value));
  }
  return cell;
}

v1::ReportCell ChangeCell(std::optional<double> percent) {
  v1::ReportCell cell;
  if (!percent.has_value()) {
    cell.set_text("-");
    return cell;
  }
  cell.set_value(*percent);
  cell.set_text(absl::StrFormat("%+.1f %%", *percent));
  return cell;
}

void AddRow(v1::ReportTable& table, std::vector<v1::ReportCell> cells) {
  v1::ReportRow& row = *table.add_rows();
  for (v1::ReportCell& cell : cells) *row.add_cells() = std::move(cell);
}

void AddTotalRow(v1::ReportTable& table, std::vector<v1::ReportCell> cells) {
  AddRow(table, std::move(cells));
  table.mutable_rows()->rbegin()->set_is_total(true);
}

void SetChart(v1::ReportTable& table, v1::ChartKind kind, const std::vector<uint32_t>& value_columns) {
  table.mutable_chart()->set_kind(kind);
  table.mutable_chart()->set_label_column(0);
  table.mutable_chart()->clear_value_columns();
  for (uint32_t column : value_columns) table.mutable_chart()->add_value_columns(column);
}

}  // namespace custflow::reporting
