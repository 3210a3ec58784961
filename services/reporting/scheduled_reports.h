// Scheduled reports: templates rendered for each closed day, week or month and written as
// files to a folder, for the teams who read reports from a share rather than the API.
//
// The schedule is REPORT_SCHEDULE, entries separated by ";":
//
//   TEMPLATE:FREQUENCY[:FORMATS[:LANGUAGE]]     e.g. overview:monthly:pdf+xlsx:zh
//
// FREQUENCY is daily, weekly (weeks start on Monday) or monthly; FORMATS is pdf, xlsx or
// pdf+xlsx (the default); LANGUAGE is en (default) or zh.
//
// Each run writes, for every entry, the latest period that closed at least `delay` ago
// (so late events are in) when its files are missing:
//
//   <folder>/<template>-<day|week|month>-<YYYY-MM-DD of the period start>-<language>.<ext>
//
// Files appear whole: each is written under a temporary name and renamed, so readers and
// a second replica writing the same file never see half of one. A failed render is logged
// and tried again on the next run. Periods missed while the service was down are not
// back-filled; only the latest one is written.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "custflow/core/metrics.h"
#include "custflow/v1/templates.pb.h"
#include "services/reporting/export_documents.h"

namespace custflow::reporting {

struct ScheduledReport {
  std::string template_id;
  v1::MetricGranularity granularity = v1::METRIC_GRANULARITY_UNSPECIFIED;
  std::vector<ExportFormat> formats;
  std::string language;
};

// The entries of REPORT_SCHEDULE; INVALID_ARGUMENT naming the entry and what is wrong
// (unknown template, frequency, format or language). An empty text is no schedule.
absl::StatusOr<std::vector<ScheduledReport>> ParseSchedule(std::string_view text);

// Renders a report as ReportingService.RenderReport does.
using RenderFunction = std::function<absl::StatusOr<v1::Report>(const v1::RenderReportRequest&)>;

struct ReportSchedulerOptions {
  std::filesystem::path folder;
  // How long after a period closes its report is written.
  std::chrono::seconds delay = std::chrono::minutes(10);
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

class ReportScheduler {
 public:
  // Counts custflow_scheduled_reports_total{template, result="written"|"failed"} in `metrics`.
  ReportScheduler(std::vector<ScheduledReport> schedule, RenderFunction render,
                  ReportSchedulerOptions options, core::MetricsRegistry& metrics);

  // Writes the missing files of every entry's latest closed period; returns the files
  // written. The folder is created when missing. Errors of one entry do not stop the
  // others: the first is returned after all were tried.
  absl::StatusOr<std::vector<std::filesystem::path>> RunOnce();

  // The file of `entry` for the period starting at `period_start`.
  std::filesystem::path FileOf(const ScheduledReport& entry, std::chrono::sys_days period_start,
                               ExportFormat format) const;

 private:
  std::vector<ScheduledReport> schedule_;
  RenderFunction render_;
  ReportSchedulerOptions options_;
  core::MetricsRegistry& metrics_;
};

// Calls RunOnce every `interval` on its own thread until destroyed.
class ScheduleLoop {
 public:
  ScheduleLoop(ReportScheduler& scheduler, std::chrono::milliseconds interval);
  ~ScheduleLoop();
  ScheduleLoop(const ScheduleLoop&) = delete;
  ScheduleLoop& operator=(const ScheduleLoop&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace custflow::reporting
