// The cells, rows and charts of report tables (templates.proto), shared by the templates
// and the documents of single answers (export_documents.h): how a number reads in its
// unit, signed changes, total rows, and which columns a chart draws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custflow/v1/templates.pb.h"

namespace custflow::reporting {

// A cell of text only.
v1::ReportCell LabelCell(const std::string& text);
// `value` as text in `unit` ("12.5 %" for %, whole numbers for counts such as customers,
// two decimals otherwise); "-" without a value when absent.
v1::ReportCell NumberCell(std::optional<double> value, const std::string& unit);
// A change in percent, signed: "+12.5 %"; "-" when absent.
v1::ReportCell ChangeCell(std::optional<double> percent);

void AddRow(v1::ReportTable& table, std::vector<v1::ReportCell> cells);
// A row totalling the rows above it: marked so that charts leave it out.
void AddTotalRow(v1::ReportTable& table, std::vector<v1::ReportCell> cells);
// Draws the table as `kind`, the first column naming the categories.
void SetChart(v1::ReportTable& table, v1::ChartKind kind, const std::vector<uint32_t>& value_columns);

}  // namespace custflow::reporting
