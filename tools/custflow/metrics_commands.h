// `custflow metrics` and `custflow metric ...`: the metrics catalog of ReportingService
// from the command line.
//   custflow metrics
//       Every metric with its id, unit, formula and breakdown dimensions.
//   custflow metric ID --by-period day|week|month|quarter|year --from YYYY-MM-DD --to YYYY-MM-DD
//                      [--by DIMENSION] [--by2 DIMENSION] [--goal YUAN]
//       The metric per period from --from to --to (both days included), broken down by up
//       to two of department, team, owner, channel, province, city, district, type,
//       industry, source, with the previous period's and the year-ago value and changes.
// The service's address comes from CUSTFLOW_REPORTING_ADDRESS.
#pragma once

namespace custflow::tools {

// `custflow metrics` (argv[1] is "metrics"); returns the exit code: 0, or 1 when the
// service reports an error.
int Metrics(int argc, char** argv);

// `custflow metric ID ...` (argv[1] is "metric"); returns 0, 1 on a service error, 2 on a
// usage error.
int Metric(int argc, char** argv);

}  // namespace custflow::tools
