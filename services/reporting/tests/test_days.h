// Calendar days as Unix seconds, for the reporting tests' generated data and periods.
#pragma once

#include <chrono>
#include <cstdint>

namespace custflow::reporting {

// Midnight UTC of the day, in Unix seconds.
inline int64_t Seconds(int year, unsigned month, unsigned day) {
  const std::chrono::sys_days date(std::chrono::year(year) / std::chrono::month(month) /
                                   std::chrono::day(day));
  return std::chrono::sys_seconds(date).time_since_epoch().count();
}

}  // namespace custflow::reporting
