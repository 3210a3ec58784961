// XLSX workbooks of rendered reports, written by libxlsxwriter: a cover sheet (title,
// template, period start as a real date, granularity), one sheet per section with its
// tables (numbers as numbers, formatted as their text shows them), a native Excel chart
// beside each table that has one, and a last sheet of findings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/v1/templates.pb.h"

namespace custflow::reporting {

// The workbook's bytes. Errors of libxlsxwriter (e.g. a text longer than a cell holds)
// are INTERNAL with its message.
absl::StatusOr<std::string> ReportXlsx(const v1::Report& report);

// Hands out Excel sheet names: at most 31 characters, none of []:*?/\, no leading or
// trailing apostrophe, unique without regard to case (" (2)", " (3)", ... added).
class SheetNames {
 public:
  std::string Claim(std::string_view title);

 private:
  std::vector<std::string> taken_lower_;
};

// The Excel number format that shows the cell's value as its text shows it: "12.5 %"
// from 12.5 is 0.0" %", an integer #,##0, anything else #,##0.00.
std::string NumberFormatFor(const v1::ReportCell& cell);

// The column width the text needs, in Excel character units: CJK and other wide
// characters count double.
double DisplayWidth(std::string_view text);

}  // namespace custflow::reporting
