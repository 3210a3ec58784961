// Scheduled reports: the REPORT_SCHEDULE grammar, then the scheduler rendering templates
// through the real ReportingService on clickhouse-server: which period, which files, no
// rewrites, the next period when the clock moves on, and retries after a failed render.
#include "services/reporting/scheduled_reports.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "custflow/core/grpc_status.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

using std::chrono::sys_days;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

TEST(ParseScheduleTest, ReadsEntriesWithTheirDefaults) {
  absl::StatusOr<std::vector<ScheduledReport>> schedule =
      ParseSchedule(" overview:monthly:pdf+xlsx:zh ; sales:weekly;service:daily:xlsx ");
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  ASSERT_EQ(schedule->size(), 3u);
  EXPECT_EQ((*schedule)[0].template_id, "overview");
  EXPECT_EQ((*schedule)[0].granularity, v1::METRIC_GRANULARITY_MONTH);
  EXPECT_THAT((*schedule)[0].formats, ElementsAre(ExportFormat::kPdf, ExportFormat::kXlsx));
  EXPECT_EQ((*schedule)[0].language, "zh");
  EXPECT_EQ((*schedule)[1].granularity, v1::METRIC_GRANULARITY_WEEK);
  EXPECT_THAT((*schedule)[1].formats, ElementsAre(ExportFormat::kPdf, ExportFormat::kXlsx));
  EXPECT_EQ((*schedule)[1].language, "en");
  EXPECT_EQ((*schedule)[2].granularity, v1::METRIC_GRANULARITY_DAY);
  EXPECT_THAT((*schedule)[2].formats, ElementsAre(ExportFormat::kXlsx));
  EXPECT_TRUE(ParseSchedule("")->empty());
}

TEST(ParseScheduleTest, RefusesWhatItCannotWriteNamingTheEntry) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& bad : std::vector<Case>{
           {"overview", "write TEMPLATE:FREQUENCY"},
           {"weekly-sales:weekly", "no template \"weekly-sales\"; the templates are overview, sales"},
           {"sales:hourly", "no frequency \"hourly\""},
           {"sales:weekly:pdf+doc", "no format \"doc\"; use pdf, xlsx or pdf+xlsx"},
           {"sales:weekly:png", "no format \"png\""},
           {"sales:weekly:pdf:fr", "no language \"fr\""},
           {"sales:weekly:pdf:zh:extra", "write TEMPLATE:FREQUENCY"},
       }) {
    absl::StatusOr<std::vector<ScheduledReport>> schedule = ParseSchedule(bad.text);
    ASSERT_FALSE(schedule.ok()) << bad.text;
    EXPECT_EQ(schedule.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(schedule.status().message(), HasSubstr(bad.message));
    EXPECT_THAT(schedule.status().message(), HasSubstr(bad.text));
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ScheduledReportsTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    MessageBatch batch;
    batch.AddProfile(0, 0, MakeProfile("zj-1", 1, "浙江省", 1))
        .AddInteraction(1, 0, MakeInteraction("e1", "zj-1"));
    core::MetricsRegistry sink_metrics;
    ClickHouseSink sink(client(), sink_metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    ASSERT_TRUE(sink.Write(batch.all()).ok());
    service_ = std::make_unique<ReportingService>(client(), open_auth_);
    folder_ = std::filesystem::path(::testing::TempDir()) / ("scheduled-" + database());
    std::filesystem::remove_all(folder_);
  }
  void TearDown() override { std::filesystem::remove_all(folder_); }

  std::unique_ptr<ReportScheduler> Scheduler(const std::string& schedule) {
    ReportSchedulerOptions options;
    options.folder = folder_;
    options.delay = std::chrono::hours(1);
    options.clock = [this] { return now_; };
    return std::make_unique<ReportScheduler>(
        *ParseSchedule(schedule),
        [this](const v1::RenderReportRequest& request) -> absl::StatusOr<v1::Report> {
          ++renders_;
          if (fail_) return absl::UnavailableError("ClickHouse is down");
          v1::Report report;
          grpc::Status status = service_->RenderReport(nullptr, &request, &report);
          if (!status.ok()) return core::FromGrpcStatus(status);
          return report;
        },
        options, metrics_);
  }
  std::vector<std::string> Files() const {
    std::vector<std::string> names;
    if (!std::filesystem::exists(folder_)) return names;
    for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }
  uint64_t Runs(const std::string& template_id, const std::string& result) {
    return metrics_
        .GetCounter("custflow_scheduled_reports_total", "", {{"template", template_id}, {"result", result}})
        .value();
  }

  std::chrono::system_clock::time_point now_;
  bool fail_ = false;
  int renders_ = 0;
  core::MetricsRegistry metrics_;
  std::filesystem::path folder_;

 private:
  const auth::RequestAuthenticator open_auth_ = auth::RequestAuthenticator::Open();
  std::unique_ptr<ReportingService> service_;
};

TEST_F(ScheduledReportsTest, WritesTheLatestClosedPeriodsOnceEach) {
  // 2026-12-01 00:30: December began half an hour ago, within the one-hour delay, so the
  // latest settled month is October; the latest week, Monday 23 to Sunday 29 November,
  // closed a day ago.
  now_ = sys_days(std::chrono::year(2026) / 12 / 1) + std::chrono::minutes(30);
  std::unique_ptr<ReportScheduler> scheduler = Scheduler("overview:monthly:pdf+xlsx:zh;region:weekly:pdf");

  absl::StatusOr<std::vector<std::filesystem::path>> written = scheduler->RunOnce();

  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->size(), 3u);
  EXPECT_THAT(Files(),
              UnorderedElementsAre("overview-month-2026-10-01-zh.pdf", "overview-month-2026-10-01-zh.xlsx",
                                   "region-week-2026-11-23-en.pdf"));
  EXPECT_TRUE(ReadFile(folder_ / "overview-month-2026-10-01-zh.pdf").starts_with("%PDF-"));
  EXPECT_TRUE(ReadFile(folder_ / "overview-month-2026-10-01-zh.xlsx").starts_with("PK\x03\x04"));
  EXPECT_TRUE(ReadFile(folder_ / "region-week-2026-11-23-en.pdf").starts_with("%PDF-"));
  EXPECT_EQ(Runs("overview", "written"), 1u);

  // Nothing is missing: nothing is rendered again.
  renders_ = 0;
  written = scheduler->RunOnce();
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE(written->empty());
  EXPECT_EQ(renders_, 0);

  // Once the delay has passed November is settled.
  now_ += std::chrono::hours(1);
  written = scheduler->RunOnce();
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_THAT(*written, ElementsAre(folder_ / "overview-month-2026-11-01-zh.pdf",
                                    folder_ / "overview-month-2026-11-01-zh.xlsx"));
}

TEST_F(ScheduledReportsTest, AFailedRenderWritesNothingAndIsTriedAgain) {
  now_ = sys_days(std::chrono::year(2026) / 11 / 27) + std::chrono::hours(12);
  std::unique_ptr<ReportScheduler> scheduler = Scheduler("service:daily:pdf");
  fail_ = true;

  absl::StatusOr<std::vector<std::filesystem::path>> written = scheduler->RunOnce();

  EXPECT_EQ(written.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(Files().empty());
  EXPECT_EQ(Runs("service", "failed"), 1u);

  fail_ = false;
  written = scheduler->RunOnce();
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_THAT(Files(), ElementsAre("service-day-2026-11-26-en.pdf"));
  EXPECT_EQ(Runs("service", "written"), 1u);
}

}  // namespace
}  // namespace custflow::reporting
