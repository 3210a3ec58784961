// The CSV writers without a server: RFC 4180 quoting, BOM and line ends, numbers, file
// names, and each answer's table layout.
#include "services/reporting/csv_export.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace custflow::reporting {
namespace {

using ::testing::ElementsAre;

struct QuotingCase {
  std::string name;
  std::string field;
  std::string written;
};

class CsvFieldTest : public ::testing::TestWithParam<QuotingCase> {};

TEST_P(CsvFieldTest, QuotesOnlyWhatMustBeQuoted) {
  EXPECT_EQ(CsvField(GetParam().field), GetParam().written);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc4180, CsvFieldTest,
    ::testing::Values(QuotingCase{"Plain", "abc", "abc"}, QuotingCase{"Empty", "", ""},
                      QuotingCase{"Comma", "a,b", "\"a,b\""},
                      QuotingCase{"Quote", "say \"hi\"", "\"say \"\"hi\"\"\""},
                      QuotingCase{"LineFeed", "one\ntwo", "\"one\ntwo\""},
                      QuotingCase{"CarriageReturn", "one\r\ntwo", "\"one\r\ntwo\""},
                      QuotingCase{"Chinese", "浙江省", "浙江省"},
                      QuotingCase{"ChineseWithComma", "杭州市，西湖区,滨江区", "\"杭州市，西湖区,滨江区\""},
                      QuotingCase{"Spaces", " padded ", " padded "}),
    [](const ::testing::TestParamInfo<QuotingCase>& quoting_case) { return quoting_case.param.name; });

TEST(CsvTest, ToCsvStartsWithByteOrderMarkAndEndsLinesWithCrLf) {
  CsvTable table{.header = {"province", "customers"}, .rows = {{"浙江省", "3"}, {"a,\"b\"", "4"}}};

  EXPECT_EQ(ToCsv(table), "\xEF\xBB\xBFprovince,customers\r\n浙江省,3\r\n\"a,\"\"b\"\"\",4\r\n");
}

TEST(CsvTest, NumbersAreShortestExactAndAbsentIsEmpty) {
  EXPECT_EQ(CsvNumber(3.0), "3");
  EXPECT_EQ(CsvNumber(0.1), "0.1");
  EXPECT_EQ(CsvNumber(1234567.89), "1234567.89");
  EXPECT_EQ(CsvNumber(-12.5), "-12.5");
  EXPECT_EQ(CsvNumber(std::optional<double>()), "");
  EXPECT_EQ(CsvNumber(std::optional<double>(0.0)), "0");
}

TEST(CsvTest, FileNameHasMethodAndUtcDate) {
  absl::Time late_evening = absl::FromUnixSeconds(1'795'816'800);  // 2026-11-27 22:00 UTC

  EXPECT_EQ(DownloadFileName("QueryMetric", late_evening, "csv"), "QueryMetric-2026-11-27.csv");
}

TEST(CsvTest, DistributionHasOneColumnPerDimension) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  v1::DistributionResponse response;
  v1::DistributionRow* row = response.add_rows();
  row->set_value("浙江省");
  row->set_customers(5);
  row->set_interactions(12);
  row = response.add_rows();
  row->set_customers(2);
  row->set_is_other(true);

  CsvTable table = DistributionCsv(request, response);

  EXPECT_THAT(table.header, ElementsAre("province", "customers", "interactions", "is_other"));
  EXPECT_THAT(table.rows,
              ElementsAre(ElementsAre("浙江省", "5", "12", "false"), ElementsAre("", "2", "0", "true")));
}

TEST(CsvTest, DistributionCrossTableHasValueAndSecondValue) {
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  request.set_second_dimension(v1::DIMENSION_CUSTOMER_TYPE);
  v1::DistributionResponse response;
  v1::DistributionRow* row = response.add_rows();
  row->set_value("广东省");
  row->set_second_value("closed");
  row->set_customers(4);
  row->set_interactions(9);

  CsvTable table = DistributionCsv(request, response);

  EXPECT_THAT(table.header,
              ElementsAre("province", "customer_type", "customers", "interactions", "is_other"));
  EXPECT_THAT(table.rows, ElementsAre(ElementsAre("广东省", "closed", "4", "9", "false")));
}

TEST(CsvTest, MetricRowsHavePeriodBreakdownsAndComparisons) {
  v1::MetricQueryRequest request;
  request.add_breakdowns(v1::METRIC_DIMENSION_PROVINCE);
  request.add_breakdowns(v1::METRIC_DIMENSION_CHANNEL);
  v1::MetricQueryResponse response;
  v1::MetricRow* row = response.add_rows();
  row->mutable_period_start()->set_seconds(1'793'491'200);  // 2026-11-01
  row->add_breakdown_values("浙江省");
  row->add_breakdown_values("");
  row->set_value(12.5);
  row->set_previous_value(10);
  row->set_previous_change_percent(25);
  row = response.add_rows();  // no value at all: every number absent
  row->mutable_period_start()->set_seconds(1'793'491'200);
  row->add_breakdown_values("广东省");
  row->add_breakdown_values("CHANNEL_WEB");

  CsvTable table = MetricCsv(request, response);

  EXPECT_THAT(table.header,
              ElementsAre("period_start", "province", "channel", "value", "previous_value",
                          "previous_change_percent", "year_ago_value", "year_ago_change_percent"));
  EXPECT_THAT(table.rows,
              ElementsAre(ElementsAre("2026-11-01", "浙江省", "", "12.5", "10", "25", "", ""),
                          ElementsAre("2026-11-01", "广东省", "CHANNEL_WEB", "", "", "", "", "")));
}

TEST(CsvTest, FindingsKeepTheirChineseSentences) {
  v1::FindingsResponse response;
  response.mutable_period_start()->set_seconds(1'793'491'200);
  v1::Finding* finding = response.add_findings();
  finding->set_metric_id("new_customers");
  finding->set_metric_name("新客户数");
  finding->add_breakdown_values("浙江省");
  finding->set_comparison(v1::FINDING_COMPARISON_PREVIOUS_PERIOD);
  finding->set_value(34);
  finding->set_compared_value(50);
  finding->set_change(-32);
  finding->set_threshold(20);
  finding->set_severity(v1::FINDING_SEVERITY_MEDIUM);
  finding->set_text("浙江省新客户数环比下降32%，从50降至34");

  CsvTable table = FindingsCsv(response);

  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_THAT(table.rows[0],
              ElementsAre("2026-11-01", "new_customers", "新客户数", "浙江省", "previous_period", "34", "50",
                          "-32", "false", "20", "medium", "浙江省新客户数环比下降32%，从50降至34"));
}

TEST(CsvTest, SatisfactionExtremesListTopThenBottom) {
  v1::SatisfactionExtremesResponse response;
  v1::SatisfactionCustomer* best = response.add_top();
  best->set_customer_id("cu_1");
  best->set_name("张三, Ltd");
  best->set_average_satisfaction(5);
  best->set_rated_interactions(2);
  v1::SatisfactionCustomer* worst = response.add_bottom();
  worst->set_customer_id("cu_2");
  worst->set_average_satisfaction(1.5);
  worst->set_rated_interactions(4);

  CsvTable table = SatisfactionExtremesCsv(response);

  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_THAT(table.rows[0], ElementsAre("top", "cu_1", "张三, Ltd", "", "", "", "", "0", "5", "2"));
  EXPECT_THAT(table.rows[1], ElementsAre("bottom", "cu_2", "", "", "", "", "", "0", "1.5", "4"));
  EXPECT_EQ(table.header.size(), table.rows[0].size());
}

TEST(CsvTest, ComplaintAnalysisEndsWithTheTotal) {
  v1::ComplaintAnalysisRequest request;
  request.set_group_by(v1::COMPLAINT_GROUPING_CATEGORY);
  v1::ComplaintAnalysisResponse response;
  v1::ComplaintGroup* group = response.add_groups();
  group->set_value("物流");
  group->set_complaints(3);
  group->set_resolved(1);
  group->set_average_resolution_seconds(3600);
  response.mutable_total()->set_complaints(3);
  response.mutable_total()->set_resolved(0);

  CsvTable table = ComplaintAnalysisCsv(request, response);

  EXPECT_THAT(table.header,
              ElementsAre("category", "complaints", "resolved", "average_resolution_seconds", "is_total"));
  EXPECT_THAT(table.rows, ElementsAre(ElementsAre("物流", "3", "1", "3600", "false"),
                                      ElementsAre("", "3", "0", "", "true")));
}

}  // namespace
}  // namespace custflow::reporting
