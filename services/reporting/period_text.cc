// Period texts.
#include "services/reporting/period_text.h"

#include "absl/strings/str_format.h"

namespace custflow::reporting {

std::string DayText(std::chrono::sys_days day) {
  const std::chrono::year_month_day date(day);
  return absl::StrFormat("%04d-%02u-%02u", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                         static_cast<unsigned>(date.day()));
}

std::string_view GranularityName(v1::MetricGranularity granularity) {
  switch (granularity) {
    case v1::METRIC_GRANULARITY_DAY:
      return "day";
    case v1::METRIC_GRANULARITY_WEEK:
      return "week";
    case v1::METRIC_GRANULARITY_MONTH:
      return "month";
    case v1::METRIC_GRANULARITY_QUARTER:
      return "quarter";
    case v1::METRIC_GRANULARITY_YEAR:
      return "year";
    default:
      return "period";
  }
}

}  // namespace custflow::reporting
