// The quality report over a fixture of seven profiles, checked against numbers worked out
// by hand.
#include "custflow/domain/quality_report.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

v1::Profile Profile(const std::string& customer_text, const std::string& merged_into = "") {
  v1::Profile profile;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(customer_text, profile.mutable_customer()))
      << customer_text;
  profile.set_merged_into(merged_into);
  return profile;
}

// c01, c03 and c07 are complete; c00, c02 and c04 miss key fields; c06 was merged into
// c01 and does not count. c01 and c03 share a phone; c01 and c02 a name (华南科技), c00
// and c07 another (东方商贸).
std::vector<v1::Profile> Fixture() {
  return {
      Profile(R"pb(customer_id: "c01"
                   owner: "王芳"
                   name: "华南科技有限公司"
                   contact_person: "李娜"
                   contact_phone: "+8613800138000"
                   industry: "制造业"
                   type: CUSTOMER_TYPE_POTENTIAL)pb"),
      Profile(R"pb(customer_id: "c02"
                   owner: "王芳"
                   name: "华南科技"
                   contact_phone: "+8613900139000"
                   type: CUSTOMER_TYPE_CLOSED)pb"),
      Profile(R"pb(customer_id: "c03"
                   owner: "李强"
                   name: "宏达贸易"
                   contact_person: "王五"
                   contact_phone: "+8613800138000"
                   industry: "零售"
                   type: CUSTOMER_TYPE_LOST)pb"),
      Profile(R"pb(customer_id: "c04")pb"),
      Profile(R"pb(customer_id: "c00"
                   owner: "王芳"
                   name: "东方商贸"
                   contact_person: "赵六"
                   industry: "物流"
                   type: CUSTOMER_TYPE_POTENTIAL)pb"),
      Profile(R"pb(customer_id: "c06" owner: "王芳" name: "华南科技" contact_phone: "+8613800138000")pb",
              "c01"),
      Profile(R"pb(customer_id: "c07"
                   owner: "李强"
                   name: "东方商贸有限公司"
                   contact_person: "孙七"
                   contact_phone: "+8613700137000"
                   industry: "金融"
                   type: CUSTOMER_TYPE_CLOSED)pb"),
  };
}

TEST(QualityReportTest, CountsCompletenessMissingFieldsAndDuplicatesByHand) {
  QualityReportBuilder builder;
  for (const v1::Profile& profile : Fixture()) builder.Add(profile);

  v1::QualityReportResponse expected;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        # c00 c01 c02 c03 c04 c07; c06 is merged away.
        customers: 6
        # name: all but c04.
        fields { field: "name" filled: 5 }
        # contact_person: c00 c01 c03 c07 (not c02, c04).
        fields { field: "contact_person" filled: 4 }
        # contact_phone: c01 c02 c03 c07 (not c00, c04).
        fields { field: "contact_phone" filled: 4 }
        # industry: c00 c01 c03 c07 (not c02, c04).
        fields { field: "industry" filled: 4 }
        # type: all but c04.
        fields { field: "type" filled: 5 }
        # c01 c03 c07 complete: 3 x 100 / 6.
        complete_percent: 50
        target_percent: 95
        # Owners in name order: "" < 李强 (E6 9D 8E..., nothing missing, so not listed) < 王芳
        # (E7 8E 8B...); records in id order.
        missing_by_owner {
          owner: ""
          records {
            customer_id: "c04"
            missing_fields: [ "name", "contact_person", "contact_phone", "industry", "type" ]
          }
        }
        missing_by_owner {
          owner: "王芳"
          records { customer_id: "c00" name: "东方商贸" missing_fields: "contact_phone" }
          records {
            customer_id: "c02"
            name: "华南科技"
            missing_fields: [ "contact_person", "industry" ]
          }
        }
        # Groups: phone +8613800138000 {c01, c03}; name 华南科技 {c01, c02}; name 东方商贸
        # {c00, c07}. Customers in any: c00 c01 c02 c03 c07.
        duplicate_customers: 5
        duplicate_groups: 3
      )pb",
      &expected));
  // filled x 100 / 6 customers.
  expected.mutable_fields(0)->set_rate_percent(5 * 100.0 / 6);
  expected.mutable_fields(1)->set_rate_percent(4 * 100.0 / 6);
  expected.mutable_fields(2)->set_rate_percent(4 * 100.0 / 6);
  expected.mutable_fields(3)->set_rate_percent(4 * 100.0 / 6);
  expected.mutable_fields(4)->set_rate_percent(5 * 100.0 / 6);

  EXPECT_EQ(builder.Build().DebugString(), expected.DebugString());
}

TEST(QualityReportTest, AnEmptyCustomerBaseReportsZeroRates) {
  v1::QualityReportResponse report = QualityReportBuilder().Build();
  EXPECT_EQ(report.customers(), 0u);
  EXPECT_EQ(report.complete_percent(), 0);
  EXPECT_EQ(report.target_percent(), 95);
  ASSERT_EQ(report.fields_size(), 5);
  EXPECT_EQ(report.fields(0).rate_percent(), 0);
  EXPECT_EQ(report.missing_by_owner_size(), 0);
}

}  // namespace
}  // namespace custflow::domain
