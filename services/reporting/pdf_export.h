// A rendered report as a PDF document drawn with cairo and pango: A4 portrait pages with the
// title and period, each section's tables (header repeated on continued pages, numbers
// right-aligned, totals bold) with their charts and notes, then the findings, and
// "Page N of M" footers. English or Chinese per the report's language; text stays text,
// so PDF readers can search and extract it.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "custflow/v1/templates.pb.h"

namespace custflow::reporting {

// The report as PDF bytes, with its title as the document title.
absl::StatusOr<std::string> ReportPdf(const v1::Report& report);

}  // namespace custflow::reporting
