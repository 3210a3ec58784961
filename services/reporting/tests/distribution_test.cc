// The customer distribution against a real clickhouse-server 18.16, over profile versions
// stored by the sink.
#include "services/reporting/distribution.h"

#include "custflow/core/metrics.h"
#include "custflow/domain/topics.h"
#include "gmock/gmock.h"
#include "services/reporting/clickhouse_sink.h"
#include "services/reporting/tests/every_dimension.h"
#include "services/reporting/tests/reporting_database_test.h"

namespace custflow::reporting {
namespace {

using DistributionTest = MigratedDatabaseTest;

std::string Describe(const v1::DistributionResponse& response) {
  std::string text = "total " + std::to_string(response.total_customers()) + ";";
  for (const v1::DistributionRow& row : response.rows()) {
    text += " " + row.value() + ": " + std::to_string(row.customers()) + " customers, " +
            std::to_string(row.interactions()) + " interactions;";
  }
  return text;
}

v1::Profile MergedInto(v1::Profile profile, const std::string& survivor) {
  profile.set_merged_into(survivor);
  return profile;
}

TEST_F(DistributionTest, DistributionCountsLatestProfileVersionsByProvince) {
  // Two batches, so versions of one customer land in different parts; the latest version
  // is the highest number, not the last to arrive.
  MessageBatch first;
  first.AddProfile(0, 0, MakeProfile("moves", 1, "浙江省", 1))
      .AddProfile(0, 1, MakeProfile("stays", 1, "浙江省", 1))
      .AddProfile(0, 2, MakeProfile("merged", 1, "浙江省", 4))
      .AddProfile(1, 0, MakeProfile("late", 3, "广东省", 7))
      .AddProfile(1, 1, MakeProfile("quiet", 1, "广东省", 0));
  MessageBatch second;
  second.AddProfile(0, 3, MakeProfile("moves", 2, "广东省", 3))
      .AddProfile(0, 4, MakeProfile("stays", 2, "浙江省", 5))
      .AddProfile(0, 5, MergedInto(MakeProfile("merged", 2, "浙江省", 4), "stays"))
      .AddProfile(1, 2, MakeProfile("late", 2, "浙江省", 6))
      .AddProfile(1, 3, MakeProfile("survivor", 1, "广东省", 2));
  core::MetricsRegistry metrics;
  ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
  ASSERT_TRUE(sink.Write(first.all()).ok());
  ASSERT_TRUE(sink.Write(second.all()).ok());
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);

  absl::StatusOr<v1::DistributionResponse> distribution =
      QueryDistribution(client(), request, auth::RowScope::Everything());

  ASSERT_TRUE(distribution.ok()) << distribution.status();
  // 广东省: moves (3), late (7), quiet (0), survivor (2); 浙江省: stays (5); merged is gone.
  EXPECT_EQ(Describe(*distribution),
            "total 5; 广东省: 4 customers, 12 interactions; 浙江省: 1 customers, 5 interactions;");
}

v1::Profile Tagged(v1::Profile profile, std::vector<std::string> tags) {
  profile.mutable_tags()->Assign(tags.begin(), tags.end());
  return profile;
}

TEST_F(DistributionTest, ByTagCountsEachCustomerUnderEachOfItsLatestTagsAndTheTotalOnce) {
  MessageBatch batch;
  batch.AddProfile(0, 0, Tagged(MakeProfile("both", 1, "广东省", 1), {"value:low"}))
      .AddProfile(0, 1, Tagged(MakeProfile("both", 2, "广东省", 3), {"value:high", "vip"}))
      .AddProfile(0, 2, Tagged(MakeProfile("vip", 1, "广东省", 2), {"vip"}))
      .AddProfile(0, 3, MakeProfile("untagged", 1, "广东省", 4))
      .AddProfile(0, 4, MergedInto(Tagged(MakeProfile("gone", 1, "广东省", 9), {"vip"}), "vip"));
  core::MetricsRegistry metrics;
  ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
  ASSERT_TRUE(sink.Write(batch.all()).ok());
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_TAG);

  absl::StatusOr<v1::DistributionResponse> distribution =
      QueryDistribution(client(), request, auth::RowScope::Everything());

  ASSERT_TRUE(distribution.ok()) << distribution.status();
  // "both" counts under its two latest tags (not value:low), "untagged" under "".
  EXPECT_EQ(Describe(*distribution),
            "total 3; vip: 2 customers, 5 interactions; : 1 customers, 4 interactions; "
            "value:high: 1 customers, 3 interactions;");
}

TEST_F(DistributionTest, EveryDimensionQueryRunsOnClickHouse) {
  MessageBatch batch;
  batch.AddProfile(0, 0, MakeProfile("c-1", 1, "广东省", 2));
  core::MetricsRegistry metrics;
  ClickHouseSink sink(client(), metrics, {domain::kInteractionsTopic, domain::kProfilesTopic});
  ASSERT_TRUE(sink.Write(batch.all()).ok());
  for (v1::Dimension dimension : EveryDimension()) {
    v1::DistributionRequest request;
    request.set_dimension(dimension);

    absl::StatusOr<v1::DistributionResponse> distribution =
        QueryDistribution(client(), request, auth::RowScope::Everything());

    ASSERT_TRUE(distribution.ok()) << v1::Dimension_Name(dimension) << ": " << distribution.status();
    EXPECT_EQ(distribution->total_customers(), 1u) << v1::Dimension_Name(dimension);
  }
}

}  // namespace
}  // namespace custflow::reporting
