// CleanseCustomer: what it fixes, what it keeps, what it reports, and that a customer
// with problems is left untouched.
#include "custflow/domain/customer_cleansing.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace custflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

v1::Customer Customer(const std::string& text) {
  v1::Customer customer;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &customer)) << text;
  return customer;
}

// "field: reason" per violation, for readable expectations.
std::vector<std::string> Describe(const std::vector<v1::FieldViolation>& violations) {
  std::vector<std::string> out;
  for (const v1::FieldViolation& v : violations) out.push_back(v.field() + ": " + v.description());
  return out;
}

std::map<std::string, std::string> Originals(const v1::Customer& customer) {
  return {customer.original_values().begin(), customer.original_values().end()};
}

const CleansingOptions kOptions;

TEST(CustomerCleansingTest, NormalizesToTheStandardFormsAndKeepsWhatWasEntered) {
  v1::Customer customer = Customer(R"pb(
    customer_id: "c1"
    name: " 深圳华南科技有限公司 "
    contact_person: "李娜"
    contact_phone: "138-0013-8000"
    industry: "制造"
    type: CUSTOMER_TYPE_POTENTIAL
    email: "Li.Na@Example.COM"
    custom_fields { key: "预算" value: " 50万 " }
    enterprise_type: "民营"
    enterprise_size: "中小企业"
    region { city: "深圳" district: "南山" }
  )pb");

  EXPECT_THAT(CleanseCustomer(customer, kOptions), IsEmpty());

  EXPECT_EQ(customer.name(), "深圳华南科技有限公司");
  EXPECT_EQ(customer.contact_phone(), "+8613800138000");
  EXPECT_EQ(customer.email(), "li.na@example.com");
  EXPECT_EQ(customer.industry(), "制造业");
  EXPECT_EQ(customer.enterprise_type(), "private");
  EXPECT_EQ(customer.enterprise_size(), "SME");
  EXPECT_EQ(customer.region().province(), "广东省");
  EXPECT_EQ(customer.region().city(), "深圳市");
  EXPECT_EQ(customer.region().district(), "南山区");
  EXPECT_EQ(customer.custom_fields().at("预算"), "50万");
  // Surrounding spaces are not kept; every other change is.
  EXPECT_THAT(Originals(customer),
              UnorderedElementsAre(Pair("contact_phone", "138-0013-8000"), Pair("email", "Li.Na@Example.COM"),
                                   Pair("industry", "制造"), Pair("enterprise_type", "民营"),
                                   Pair("enterprise_size", "中小企业"), Pair("region.province", ""),
                                   Pair("region.city", "深圳"), Pair("region.district", "南山")));
}

TEST(CustomerCleansingTest, CleansingACleansedCustomerChangesNothing) {
  v1::Customer customer = Customer(R"pb(
    customer_id: "c1"
    name: "华南科技"
    contact_phone: "13800138000"
    industry: "manufacturing"
    region { province: "广东" city: "深圳" }
  )pb");
  ASSERT_THAT(CleanseCustomer(customer, kOptions), IsEmpty());
  v1::Customer once = customer;

  EXPECT_THAT(CleanseCustomer(customer, kOptions), IsEmpty());

  EXPECT_EQ(customer.DebugString(), once.DebugString());
}

TEST(CustomerCleansingTest, AnOriginalThatNoLongerExplainsTheValueIsDropped) {
  v1::Customer customer = Customer(R"pb(
    customer_id: "c1"
    contact_phone: "+8613900139000"
    industry: "制造业"
    region { province: "广东省" city: "广州市" }
    original_values { key: "contact_phone" value: "138-0013-8000" }
    original_values { key: "industry" value: "制造" }
    original_values { key: "region.province" value: "" }
    original_values { key: "region.city" value: "深圳" }
  )pb");

  ASSERT_THAT(CleanseCustomer(customer, kOptions), IsEmpty());

  // The phone and the city were replaced since; the industry still comes from "制造".
  EXPECT_THAT(Originals(customer), ElementsAre(Pair("industry", "制造")));
}

TEST(CustomerCleansingTest, UnknownVocabularyWordsStayAsEntered) {
  v1::Customer customer = Customer(R"pb(
    customer_id: "c1"
    industry: "养殖观赏鱼"
    enterprise_type: "特殊类型"
    region { province: "火星" }
  )pb");

  EXPECT_THAT(CleanseCustomer(customer, kOptions), IsEmpty());

  EXPECT_EQ(customer.industry(), "养殖观赏鱼");
  EXPECT_EQ(customer.enterprise_type(), "特殊类型");
  EXPECT_EQ(customer.region().province(), "火星");
  EXPECT_THAT(Originals(customer), IsEmpty());
}

TEST(CustomerCleansingTest, ReportsEveryProblemAndLeavesTheCustomerUnchanged) {
  v1::Customer customer = Customer(R"pb(
    customer_id: "c1"
    name: "华南科技"
    contact_phone: "12345"
    email: "li.na@"
    industry: "制造"
    type: CUSTOMER_TYPE_CLOSED
  )pb");
  (*customer.mutable_custom_fields())["预算"] = "\xE6\xB7";
  customer.set_notes(std::string(2001, 'x'));
  customer.set_contact_person(std::string("\xC0\xAF"));
  v1::Customer entered = customer;

  std::vector<v1::FieldViolation> violations = CleanseCustomer(customer, kOptions);

  EXPECT_THAT(Describe(violations),
              UnorderedElementsAre(
                  "contact_phone: is not a valid number for country code +86",
                  "email: is not a valid e-mail address", "notes: is longer than 2000 characters",
                  "contact_person: is not valid UTF-8", "custom_fields[\"预算\"]: is not valid UTF-8"));
  EXPECT_EQ(customer.DebugString(), entered.DebugString());
}

TEST(CustomerCleansingTest, TextLimitsCountCharactersNotBytes) {
  v1::Customer customer;
  std::string name;
  for (int i = 0; i < 200; ++i) name += "华";
  customer.set_name(name);
  EXPECT_THAT(CleanseCustomer(customer, kOptions), IsEmpty());
  customer.set_name(name + "华");
  EXPECT_THAT(Describe(CleanseCustomer(customer, kOptions)),
              ElementsAre("name: is longer than 200 characters"));
}

TEST(CustomerCleansingTest, RequiresTheKeyFieldsOnlyWhenAsked) {
  v1::Customer customer = Customer(R"pb(customer_id: "c1" name: "华南科技" contact_person: "  ")pb");

  v1::Customer lenient = customer;
  EXPECT_THAT(CleanseCustomer(lenient, kOptions), IsEmpty());

  CleansingOptions strict;
  strict.require_key_fields = true;
  EXPECT_THAT(Describe(CleanseCustomer(customer, strict)),
              ElementsAre("contact_person: is required", "contact_phone: is required",
                          "industry: is required", "type: is required"));
}

TEST(CustomerCleansingTest, ReadsNationalNumbersInTheDefaultRegion) {
  v1::Customer customer = Customer(R"pb(contact_phone: "(650) 253-0000")pb");
  CleansingOptions options;
  options.default_region = "US";
  EXPECT_THAT(CleanseCustomer(customer, options), IsEmpty());
  EXPECT_EQ(customer.contact_phone(), "+16502530000");
}

TEST(CustomerCleansingTest, KeyFieldsAreTheFiveOfTheDomain) {
  EXPECT_THAT(KeyFields(), ElementsAre("name", "contact_person", "contact_phone", "industry", "type"));
  EXPECT_THAT(MissingKeyFields(Customer(R"pb(name: "x" industry: " " type: CUSTOMER_TYPE_LOST)pb")),
              ElementsAre("contact_person", "contact_phone", "industry"));
}

}  // namespace
}  // namespace custflow::domain
