// Findings on a real clickhouse-server 18.16: customers and a steady stream of interactions
// go through the sink with one planted swing (new customers in 浙江省 halve in October
// 2026), and the Findings handler, watching its default metrics, reports that swing and
// nothing else, in English and in Chinese.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/reporting_service.h"
#include "services/reporting/tests/reporting_database_test.h"
#include "services/reporting/tests/test_days.h"

namespace custflow::reporting {
namespace {

class FindingsTest : public MigratedDatabaseTest {
 protected:
  void SetUp() override {
    MigratedDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    Store();
  }

  // New customers per province and month: 浙江省 20 in October 2025, 40 in September 2026
  // and 20 in October 2026; 广东省 40 in each. Besides, 30 long-standing customers per
  // province call every month from August 2025 to October 2026 with satisfaction 4, so
  // every other default metric stays flat.
  void Store() {
    int customer = 0;
    auto add_customers = [&](const std::string& province, int count, int64_t first_contact) {
      for (int i = 0; i < count; ++i, ++customer) {
        v1::Profile profile = MakeProfile("c-" + std::to_string(customer), 1, province, 0);
        profile.mutable_customer()->mutable_first_contact_at()->set_seconds(first_contact + i * 3600);
        batch_.AddProfile(0, offset_++, profile);
      }
    };
    for (const std::string province : {"浙江省", "广东省"}) {
      const bool zhejiang = province == "浙江省";
      add_customers(province, zhejiang ? 20 : 40, Seconds(2025, 10, 3));
      add_customers(province, 40, Seconds(2026, 9, 3));
      add_customers(province, zhejiang ? 20 : 40, Seconds(2026, 10, 3));
      const int first_steady = customer;
      add_customers(province, 30, Seconds(2024, 3, 1));
      for (int month = 0; month < 15; ++month) {
        const int64_t when =
            Seconds(2025 + (7 + month) / 12, static_cast<unsigned>((7 + month) % 12 + 1), 10);
        for (int steady = first_steady; steady < customer; ++steady) {
          v1::Interaction event =
              MakeInteraction("e-" + std::to_string(events_), "c-" + std::to_string(steady));
          event.mutable_occurred_at()->set_seconds(when + steady * 60);
          event.mutable_received_at()->set_seconds(when + steady * 60 + 1);
          event.set_satisfaction(4);
          batch_.AddInteraction(0, events_++, event);
        }
      }
    }
    core::MetricsRegistry metrics;
    ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
    absl::Status written = sink.Write(batch_.all());
    ASSERT_TRUE(written.ok()) << written;
  }

  v1::FindingsResponse Findings(const std::string& language, v1::MetricDimension breakdown) {
    v1::FindingsRequest request;
    request.mutable_period()->set_seconds(Seconds(2026, 10, 15));
    request.set_breakdown(breakdown);
    request.set_language(language);
    const auth::RequestAuthenticator open_auth = auth::RequestAuthenticator::Open();
    ReportingService service(client(), open_auth);
    v1::FindingsResponse response;
    const grpc::Status status = service.Findings(nullptr, &request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  static std::vector<std::string> Texts(const v1::FindingsResponse& response) {
    std::vector<std::string> texts;
    for (const v1::Finding& finding : response.findings()) texts.push_back(finding.text());
    return texts;
  }

  MessageBatch batch_;
  int64_t offset_ = 0;
  int64_t events_ = 0;
};

TEST_F(FindingsTest, ReportsExactlyThePlantedSwingByProvinceInEnglishAndChinese) {
  const v1::FindingsResponse english = Findings("en", v1::METRIC_DIMENSION_PROVINCE);
  EXPECT_EQ(english.period_start().seconds(), Seconds(2026, 10, 1));
  EXPECT_THAT(Texts(english),
              ::testing::ElementsAre("new customers in 浙江省 down 50 % month on month, from 40 to 20"));
  ASSERT_EQ(english.findings_size(), 1);
  const v1::Finding& finding = english.findings(0);
  EXPECT_EQ(finding.metric_id(), "new_customers");
  EXPECT_THAT(finding.breakdown_values(), ::testing::ElementsAre("浙江省"));
  EXPECT_EQ(finding.comparison(), v1::FINDING_COMPARISON_PREVIOUS_PERIOD);
  EXPECT_DOUBLE_EQ(finding.change(), -50);
  EXPECT_EQ(finding.severity(), v1::FINDING_SEVERITY_HIGH);

  EXPECT_THAT(Texts(Findings("zh", v1::METRIC_DIMENSION_PROVINCE)),
              ::testing::ElementsAre("浙江省新客户数环比下降50%，从40降至20"));
}

TEST_F(FindingsTest, ReportsTheSwingOfTheTotalWithoutABreakdown) {
  EXPECT_THAT(Texts(Findings("en", v1::METRIC_DIMENSION_UNSPECIFIED)),
              ::testing::ElementsAre("new customers down 25 % month on month, from 80 to 60"));
  EXPECT_THAT(Texts(Findings("zh", v1::METRIC_DIMENSION_UNSPECIFIED)),
              ::testing::ElementsAre("新客户数环比下降25%，从80降至60"));
}

}  // namespace
}  // namespace custflow::reporting
