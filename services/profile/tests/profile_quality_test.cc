// FindDuplicates and QualityReport against a real Redis holding customers that the
// applier stored from upsert commands.
#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "services/profile/profile_service.h"
#include "services/profile/tests/profile_test_support.h"

namespace custflow::profile::test {
namespace {

using ::testing::ElementsAre;

v1::Customer Customer(const std::string& text) {
  v1::Customer customer;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &customer)) << text;
  return customer;
}

// a1 and a3 share a phone, a1 and a2 a name (华南科技); a2 and a4 miss key fields.
class ProfileQualityTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    Batch batch;
    batch
        .Add(kTopics.commands, 0, 0,
             Upsert("a1", Customer(R"pb(customer_id: "a1"
                                        owner: "王芳"
                                        department: "华南销售部"
                                        name: "华南科技有限公司"
                                        contact_person: "李娜"
                                        contact_phone: "+8613800138000"
                                        industry: "制造业"
                                        type: CUSTOMER_TYPE_POTENTIAL)pb"),
                    kT0))
        .Add(kTopics.commands, 0, 1,
             Upsert("a2", Customer(R"pb(customer_id: "a2"
                                        owner: "王芳"
                                        department: "华南销售部"
                                        name: "华南科技"
                                        contact_person: "张伟"
                                        contact_phone: "+8613900139000"
                                        type: CUSTOMER_TYPE_CLOSED)pb"),
                    kT0 + 1))
        .Add(kTopics.commands, 0, 2,
             Upsert("a3", Customer(R"pb(customer_id: "a3"
                                        owner: "李强"
                                        department: "华东销售部"
                                        name: "宏达贸易"
                                        contact_person: "王五"
                                        contact_phone: "+8613800138000"
                                        industry: "零售"
                                        type: CUSTOMER_TYPE_LOST)pb"),
                    kT0 + 2))
        .Add(kTopics.commands, 0, 3,
             Upsert("a4", Customer(R"pb(customer_id: "a4"
                                        owner: "李强"
                                        department: "华东销售部"
                                        name: "东方商贸"
                                        industry: "物流"
                                        type: CUSTOMER_TYPE_POTENTIAL)pb"),
                    kT0 + 3));
    Broker broker(producer_);  // confirms the profile snapshots the applier publishes
    absl::Status applied = applier_->Apply(batch.messages());
    ASSERT_TRUE(applied.ok()) << applied;
    ProfileServiceOptions options;
    options.commands_topic = kTopics.commands;
    service_.emplace(*store_, producer_, open_auth_, options);
  }

  v1::FindDuplicatesResponse Duplicates(v1::DuplicateRule rule, const std::string& owner = "") {
    v1::FindDuplicatesRequest request;
    request.set_rule(rule);
    request.set_owner(owner);
    v1::FindDuplicatesResponse response;
    grpc::ServerContext context;
    grpc::Status status = service_->FindDuplicates(&context, &request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::QualityReportResponse Report(const std::string& owner, const std::string& department) {
    v1::QualityReportRequest request;
    request.set_owner(owner);
    request.set_department(department);
    v1::QualityReportResponse response;
    grpc::ServerContext context;
    grpc::Status status = service_->QualityReport(&context, &request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::optional<ProfileService> service_;
};

TEST_F(ProfileQualityTest, FindDuplicatesGroupsStoredCustomersByPhoneAndByName) {
  v1::FindDuplicatesResponse response = Duplicates(v1::DUPLICATE_RULE_UNSPECIFIED);

  EXPECT_EQ(response.customers_examined(), 4u);
  ASSERT_EQ(response.groups_size(), 2);
  EXPECT_EQ(response.groups(0).rule(), v1::DUPLICATE_RULE_PHONE);
  EXPECT_EQ(response.groups(0).key(), "+8613800138000");
  EXPECT_THAT(response.groups(0).customer_ids(), ElementsAre("a1", "a3"));
  EXPECT_THAT(response.groups(0).evidence(),
              ElementsAre("a1: 华南科技有限公司 / +8613800138000", "a3: 宏达贸易 / +8613800138000"));
  EXPECT_EQ(response.groups(1).rule(), v1::DUPLICATE_RULE_NAME);
  EXPECT_EQ(response.groups(1).key(), "华南科技");
  EXPECT_THAT(response.groups(1).customer_ids(), ElementsAre("a1", "a2"));
}

TEST_F(ProfileQualityTest, FindDuplicatesFollowsTheRuleAndTheOwner) {
  v1::FindDuplicatesResponse phone = Duplicates(v1::DUPLICATE_RULE_PHONE);
  ASSERT_EQ(phone.groups_size(), 1);
  EXPECT_EQ(phone.groups(0).rule(), v1::DUPLICATE_RULE_PHONE);

  EXPECT_EQ(Duplicates(v1::DUPLICATE_RULE_PHONE_AND_NAME).groups_size(), 0);

  // 王芳's customers: a1 and a2, the same name; a3 (李强) is out of sight.
  v1::FindDuplicatesResponse own = Duplicates(v1::DUPLICATE_RULE_UNSPECIFIED, "王芳");
  EXPECT_EQ(own.customers_examined(), 2u);
  ASSERT_EQ(own.groups_size(), 1);
  EXPECT_EQ(own.groups(0).rule(), v1::DUPLICATE_RULE_NAME);
}

TEST_F(ProfileQualityTest, FindDuplicatesRejectsAnUnknownRule) {
  v1::FindDuplicatesRequest request;
  request.set_rule(static_cast<v1::DuplicateRule>(42));
  v1::FindDuplicatesResponse response;
  grpc::ServerContext context;
  EXPECT_EQ(service_->FindDuplicates(&context, &request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ProfileQualityTest, QualityReportCoversEveryStoredCustomer) {
  v1::QualityReportResponse report = Report("", "");

  EXPECT_EQ(report.customers(), 4u);
  // a1 and a3 complete: 2 x 100 / 4.
  EXPECT_EQ(report.complete_percent(), 50);
  EXPECT_EQ(report.target_percent(), 95);
  ASSERT_EQ(report.fields_size(), 5);
  // contact_phone: a1 a2 a3 of 4; industry: a1 a3 a4 of 4.
  EXPECT_EQ(report.fields(2).field(), "contact_phone");
  EXPECT_EQ(report.fields(2).filled(), 3u);
  EXPECT_EQ(report.fields(2).rate_percent(), 75);
  EXPECT_EQ(report.fields(3).field(), "industry");
  EXPECT_EQ(report.fields(3).filled(), 3u);
  // Owners in name order: 李强 (E6 9D 8E) before 王芳 (E7 8E 8B).
  ASSERT_EQ(report.missing_by_owner_size(), 2);
  EXPECT_EQ(report.missing_by_owner(0).owner(), "李强");
  ASSERT_EQ(report.missing_by_owner(0).records_size(), 1);
  EXPECT_EQ(report.missing_by_owner(0).records(0).customer_id(), "a4");
  EXPECT_THAT(report.missing_by_owner(0).records(0).missing_fields(),
              ElementsAre("contact_person", "contact_phone"));
  EXPECT_EQ(report.missing_by_owner(1).owner(), "王芳");
  EXPECT_THAT(report.missing_by_owner(1).records(0).missing_fields(), ElementsAre("industry"));
  // The phone group {a1, a3} and the name group {a1, a2}.
  EXPECT_EQ(report.duplicate_customers(), 3u);
  EXPECT_EQ(report.duplicate_groups(), 2u);
}

TEST_F(ProfileQualityTest, QualityReportFiltersByOwnerAndDepartment) {
  v1::QualityReportResponse east = Report("", "华东销售部");
  EXPECT_EQ(east.customers(), 2u);
  EXPECT_EQ(east.complete_percent(), 50);
  EXPECT_EQ(east.duplicate_groups(), 0u);

  v1::QualityReportResponse wang = Report("王芳", "");
  EXPECT_EQ(wang.customers(), 2u);
  EXPECT_EQ(wang.duplicate_groups(), 1u);

  EXPECT_EQ(Report("王芳", "华东销售部").customers(), 0u);
}

}  // namespace
}  // namespace custflow::profile::test
