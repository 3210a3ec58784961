// `custflow findings ...`: abnormal swings of the watched metrics in one period, from
// ReportingService's Findings (docs/METRICS.md, "Findings").
//   custflow findings [--by-period day|week|month|quarter|year] [--by DIMENSION]
//                     [--period YYYY-MM-DD] [--lang en|zh] [--metrics ID,..]
//                     [--threshold PERCENT] [--points POINTS] [--min-base N] [--max N]
//       The findings of the period holding --period (default: the latest complete one),
//       most severe first, each as a sentence in English or Chinese.
// The service's address comes from CUSTFLOW_REPORTING_ADDRESS.
#pragma once

namespace custflow::tools {

// `custflow findings ...` (argv[1] is "findings"); returns 0, 1 on a service error, 2 on a
// usage error.
int Findings(int argc, char** argv);

}  // namespace custflow::tools
