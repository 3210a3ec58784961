// How a reporting period is written in tables, file names and titles.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "custflow/v1/metrics.pb.h"

namespace custflow::reporting {

// "YYYY-MM-DD".
std::string DayText(std::chrono::sys_days day);
// "day", "week", "month", "quarter", "year"; "period" when unspecified.
std::string_view GranularityName(v1::MetricGranularity granularity);

}  // namespace custflow::reporting
