// The schedule's grammar, the choice of period and file, and the atomic writes.
#include "services/reporting/scheduled_reports.h"

#include <algorithm>
#include <fstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "custflow/core/log.h"
#include "services/reporting/metrics.h"
#include "services/reporting/period_text.h"
#include "services/reporting/templates.h"

namespace custflow::reporting {
namespace {

using std::chrono::sys_days;

struct Frequency {
  std::string_view word;
  v1::MetricGranularity granularity;
};

constexpr Frequency kFrequencies[] = {
    {"daily", v1::METRIC_GRANULARITY_DAY},
    {"weekly", v1::METRIC_GRANULARITY_WEEK},
    {"monthly", v1::METRIC_GRANULARITY_MONTH},
};

absl::Status WriteWhole(const std::filesystem::path& path, const std::string& bytes) {
  const std::filesystem::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", partial.string()));
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error)
    return absl::InternalError(absl::StrCat("cannot rename ", partial.string(), ": ", error.message()));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ScheduledReport>> ParseSchedule(std::string_view text) {
  std::vector<std::string> templates;
  const v1::ListTemplatesResponse catalog = ListTemplates();
  for (const v1::ReportTemplate& entry : catalog.templates()) templates.push_back(entry.id());
  std::vector<ScheduledReport> schedule;
  for (absl::string_view raw :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ';', absl::SkipWhitespace())) {
    const std::string entry(absl::StripAsciiWhitespace(raw));
    auto refuse = [&entry](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrCat("REPORT_SCHEDULE entry \"", entry, "\": ", why));
    };
    std::vector<std::string> fields = absl::StrSplit(entry, ':');
    if (fields.size() < 2 || fields.size() > 4) {
      return refuse("write TEMPLATE:FREQUENCY[:FORMATS[:LANGUAGE]], e.g. overview:monthly:pdf+xlsx:zh");
    }
    ScheduledReport report;
    report.template_id = fields[0];
    if (std::find(templates.begin(), templates.end(), report.template_id) == templates.end()) {
      return refuse(absl::StrCat("no template \"", report.template_id, "\"; the templates are ",
                                 absl::StrJoin(templates, ", ")));
    }
    for (const Frequency& frequency : kFrequencies) {
      if (fields[1] == frequency.word) report.granularity = frequency.granularity;
    }
    if (report.granularity == v1::METRIC_GRANULARITY_UNSPECIFIED) {
      return refuse(absl::StrCat("no frequency \"", fields[1], "\"; use daily, weekly or monthly"));
    }
    const std::string formats = fields.size() > 2 ? fields[2] : "pdf+xlsx";
    for (absl::string_view name : absl::StrSplit(formats, '+')) {
      std::optional<ExportFormat> format = ExportFormatOf(std::string_view(name.data(), name.size()));
      if (format != ExportFormat::kPdf && format != ExportFormat::kXlsx) {
        return refuse(absl::StrCat("no format \"", std::string(name), "\"; use pdf, xlsx or pdf+xlsx"));
      }
      report.formats.push_back(*format);
    }
    report.language = fields.size() > 3 ? fields[3] : "en";
    if (report.language != "en" && report.language != "zh") {
      return refuse(absl::StrCat("no language \"", report.language, "\"; use en or zh"));
    }
    schedule.push_back(std::move(report));
  }
  return schedule;
}

ReportScheduler::ReportScheduler(std::vector<ScheduledReport> schedule, RenderFunction render,
                                 ReportSchedulerOptions options, core::MetricsRegistry& metrics)
    : schedule_(std::move(schedule)),
      render_(std::move(render)),
      options_(std::move(options)),
      metrics_(metrics) {}

std::filesystem::path ReportScheduler::FileOf(const ScheduledReport& entry, sys_days period_start,
                                              ExportFormat format) const {
  return options_.folder /
         absl::StrCat(entry.template_id, "-", std::string(GranularityName(entry.granularity)), "-",
                      DayText(period_start), "-", entry.language, ".", std::string(ExtensionOf(format)));
}

absl::StatusOr<std::vector<std::filesystem::path>> ReportScheduler::RunOnce() {
  std::error_code error;
  std::filesystem::create_directories(options_.folder, error);
  if (error) {
    return absl::InternalError(
        absl::StrCat("cannot create the report folder ", options_.folder.string(), ": ", error.message()));
  }
  const sys_days settled = std::chrono::floor<std::chrono::days>(options_.clock() - options_.delay);
  std::vector<std::filesystem::path> written;
  absl::Status first_error;
  for (const ScheduledReport& entry : schedule_) {
    const sys_days period = PreviousPeriod(PeriodStart(settled, entry.granularity), entry.granularity);
    std::vector<ExportFormat> missing;
    for (ExportFormat format : entry.formats) {
      if (!std::filesystem::exists(FileOf(entry, period, format))) missing.push_back(format);
    }
    if (missing.empty()) continue;

    v1::RenderReportRequest request;
    request.set_template_id(entry.template_id);
    request.set_granularity(entry.granularity);
    request.mutable_period()->set_seconds(std::chrono::sys_seconds(period).time_since_epoch().count());
    request.set_language(entry.language);
    absl::StatusOr<v1::Report> report = render_(request);
    absl::Status status = report.status();
    for (ExportFormat format : missing) {
      if (!status.ok()) break;
      absl::StatusOr<std::string> bytes = ExportReport(*report, format);
      status = bytes.status();
      if (status.ok()) status = WriteWhole(FileOf(entry, period, format), *bytes);
      if (status.ok()) written.push_back(FileOf(entry, period, format));
    }
    const bool ok = status.ok();
    metrics_
        .GetCounter("custflow_scheduled_reports_total", "Scheduled report runs by template and result.",
                    {{"template", entry.template_id}, {"result", ok ? "written" : "failed"}})
        .Increment();
    if (ok) {
      core::LogInfo(
          "scheduled report written",
          {{"template", entry.template_id}, {"period", DayText(period)}, {"files", missing.size()}});
    } else {
      core::LogError(
          "scheduled report failed",
          {{"template", entry.template_id}, {"period", DayText(period)}, {"error", status.ToString()}});
      if (first_error.ok()) first_error = status;
    }
  }
  if (!first_error.ok()) return first_error;
  return written;
}

ScheduleLoop::ScheduleLoop(ReportScheduler& scheduler, std::chrono::milliseconds interval)
    : thread_([this, &scheduler, interval] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
          lock.unlock();
          // Failures are logged and counted by RunOnce and tried again next time.
          (void)scheduler.RunOnce();
          lock.lock();
          wake_.wait_for(lock, interval, [this] { return stopping_; });
        }
      }) {}

ScheduleLoop::~ScheduleLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace custflow::reporting
