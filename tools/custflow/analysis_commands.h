// `custflow analyze ...`: customer analysis of ReportingService from the command line
// (proto/custflow/v1/analysis.proto; docs/REPORTS.md "Analysis").
//   custflow analyze describe --measure MEASURE [SCOPE]
//   custflow analyze correlate --x MEASURE --y MEASURE [SCOPE]
//   custflow analyze pareto [--top PERCENT] [SCOPE]
//   custflow analyze satisfaction [--percent PERCENT] [--limit N] [SCOPE]
//   custflow analyze complaints --by category|product|day|agent|province --from YYYY-MM-DD --to YYYY-MM-DD
//   custflow analyze rfm --from YYYY-MM-DD --to YYYY-MM-DD [SCOPE]
//   custflow analyze clusters [--k N] --from YYYY-MM-DD --to YYYY-MM-DD [SCOPE]
// MEASURE: amount, orders, interactions, satisfaction.
// SCOPE: [--from YYYY-MM-DD --to YYYY-MM-DD] (both days included; without them the latest
// profiles; rfm and clusters require them) [--type potential,closed,lost] [--province X,..] [--department
// X,..]. The service's address comes from CUSTFLOW_REPORTING_ADDRESS.
#pragma once

namespace custflow::tools {

// `custflow analyze SUBCOMMAND ...` (argv[1] is "analyze"); returns 0, 1 on a service
// error, 2 on a usage error.
int Analyze(int argc, char** argv);

}  // namespace custflow::tools
