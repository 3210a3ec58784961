// `custflow reports` and `custflow report ...`: the report templates of ReportingService
// (docs/REPORTS.md, "Templates").
//   custflow reports
//       The templates with their descriptions.
//   custflow report TEMPLATE [--by-period day|week|month|quarter|year] [--period YYYY-MM-DD]
//                            [--lang en|zh] [--by DIMENSION] [--threshold PERCENT]
//                            [--points POINTS] [--min-base N]
//       The template rendered for the period holding --period (default: the latest
//       complete one), its tables aligned, ending with the findings.
// The service's address comes from CUSTFLOW_REPORTING_ADDRESS.
#pragma once

namespace custflow::tools {

// `custflow reports` (argv[1] is "reports"); returns 0, or 1 on a service error.
int Reports(int argc, char** argv);

// `custflow report ...` (argv[1] is "report"); returns 0, 1 on a service error, 2 on a
// usage error.
int Report(int argc, char** argv);

}  // namespace custflow::tools
