// Duplicate detection: name and phone normalization and the groups each rule finds.
#include "custflow/domain/duplicates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct NameCase {
  std::string name;
  std::string normalized;
};

class NormalizeCustomerNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(NormalizeCustomerNameTest, DropsSpacesPunctuationCaseAndLegalForms) {
  EXPECT_EQ(NormalizeCustomerName(GetParam().name), GetParam().normalized);
}

INSTANTIATE_TEST_SUITE_P(
    Names, NormalizeCustomerNameTest,
    ::testing::Values(NameCase{"深圳华为技术有限公司", "深圳华为技术"},
                      NameCase{" 深圳 华为技术（有限公司） ", "深圳华为技术"},
                      NameCase{"深圳华为技术股份有限公司", "深圳华为技术"},
                      NameCase{"华为集团有限公司", "华为"}, NameCase{"恒通·物流有限责任公司", "恒通物流"},
                      NameCase{"【东方】商贸公司", "东方商贸"},
                      NameCase{"Northstar Trading (Shenzhen) Co., Ltd.", "northstartradingshenzhen"},
                      NameCase{"ＮＯＲＴＨＳＴＡＲ TRADING (SHENZHEN) CO LTD", "northstartradingshenzhen"},
                      NameCase{"Costco Inc.", "costco"}, NameCase{"Company", "company"},
                      NameCase{"有限公司", "有限公司"}, NameCase{"  ", ""}));

TEST(DuplicatesTest, PhonesCompareInE164OrByDigits) {
  EXPECT_EQ(NormalizePhoneForDuplicates("138 0013 8000", "CN"), "+8613800138000");
  EXPECT_EQ(NormalizePhoneForDuplicates("+86-138-0013-8000", "CN"), "+8613800138000");
  EXPECT_EQ(NormalizePhoneForDuplicates("12-34", "CN"), "1234");
  EXPECT_EQ(NormalizePhoneForDuplicates("", "CN"), "");
}

v1::Customer Customer(std::string id, std::string name, std::string phone) {
  v1::Customer customer;
  customer.set_customer_id(std::move(id));
  customer.set_name(std::move(name));
  customer.set_contact_phone(std::move(phone));
  return customer;
}

// c1 and c3 share a phone; c1 and c2 a name; c4 shares nothing; c5 has neither.
const std::vector<v1::Customer> kCustomers = {
    Customer("c3", "宏达贸易", "138-0013-8000"),
    Customer("c1", "华南科技有限公司", "+8613800138000"),
    Customer("c2", "华南科技（集团）", "+8613900139000"),
    Customer("c4", "东方商贸", "+8613700137000"),
    Customer("c5", "", ""),
};

TEST(DuplicatesTest, PhoneRuleGroupsTheSameNumberInAnyFormat) {
  std::vector<v1::DuplicateGroup> groups = FindDuplicateGroups(kCustomers, v1::DUPLICATE_RULE_PHONE);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].rule(), v1::DUPLICATE_RULE_PHONE);
  EXPECT_EQ(groups[0].key(), "+8613800138000");
  EXPECT_THAT(groups[0].customer_ids(), ElementsAre("c1", "c3"));
  EXPECT_THAT(groups[0].evidence(),
              ElementsAre("c1: 华南科技有限公司 / +8613800138000", "c3: 宏达贸易 / 138-0013-8000"));
}

TEST(DuplicatesTest, MaskedGroupsHideThePhonesOnly) {
  std::vector<v1::DuplicateGroup> groups = FindDuplicateGroups(kCustomers, v1::DUPLICATE_RULE_PHONE);
  ASSERT_EQ(groups.size(), 1u);
  MaskPii(groups[0]);
  EXPECT_EQ(groups[0].key(), "+86138****8000");
  EXPECT_THAT(groups[0].customer_ids(), ElementsAre("c1", "c3"));
  EXPECT_THAT(groups[0].evidence(),
              ElementsAre("c1: 华南科技有限公司 / +86138****8000", "c3: 宏达贸易 / 138-****-8000"));
  v1::DuplicateGroup both;
  both.set_rule(v1::DUPLICATE_RULE_PHONE_AND_NAME);
  both.set_key("+8613800138000 / 华南科技");
  MaskPii(both);
  EXPECT_EQ(both.key(), "+86138****8000 / 华南科技");
}

TEST(DuplicatesTest, NameRuleGroupsTheSameNormalizedName) {
  std::vector<v1::DuplicateGroup> groups = FindDuplicateGroups(kCustomers, v1::DUPLICATE_RULE_NAME);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].key(), "华南科技");
  EXPECT_THAT(groups[0].customer_ids(), ElementsAre("c1", "c2"));
}

TEST(DuplicatesTest, UnspecifiedRuleGivesPhoneGroupsThenNameGroups) {
  std::vector<v1::DuplicateGroup> groups = FindDuplicateGroups(kCustomers, v1::DUPLICATE_RULE_UNSPECIFIED);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].rule(), v1::DUPLICATE_RULE_PHONE);
  EXPECT_EQ(groups[1].rule(), v1::DUPLICATE_RULE_NAME);
}

TEST(DuplicatesTest, PhoneAndNameRuleNeedsBothToMatch) {
  EXPECT_THAT(FindDuplicateGroups(kCustomers, v1::DUPLICATE_RULE_PHONE_AND_NAME), IsEmpty());

  std::vector<v1::Customer> customers = kCustomers;
  customers.push_back(Customer("c6", "华南科技", "13800138000"));
  std::vector<v1::DuplicateGroup> groups = FindDuplicateGroups(customers, v1::DUPLICATE_RULE_PHONE_AND_NAME);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].key(), "+8613800138000 / 华南科技");
  EXPECT_THAT(groups[0].customer_ids(), ElementsAre("c1", "c6"));
}

TEST(DuplicatesTest, ACustomerListedTwiceIsNotItsOwnDuplicate) {
  std::vector<v1::Customer> customers = {Customer("c1", "华南科技", "+8613800138000"),
                                         Customer("c1", "华南科技", "+8613800138000")};
  EXPECT_THAT(FindDuplicateGroups(customers, v1::DUPLICATE_RULE_UNSPECIFIED), IsEmpty());
}

}  // namespace
}  // namespace custflow::domain
