#include "custflow/domain/pii.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace custflow::domain {
namespace {

TEST(MaskPhone, HidesTheFourDigitsBeforeTheLastFour) {
  EXPECT_EQ(MaskPhone("+8613800138000"), "+86138****8000");
  EXPECT_EQ(MaskPhone("13800138000"), "138****8000");
  EXPECT_EQ(MaskPhone("020-8888 6666"), "020-**** 6666");
  EXPECT_EQ(MaskPhone("88886666"), "****6666");
  EXPECT_EQ(MaskPhone("12345"), "***45");
  EXPECT_EQ(MaskPhone(""), "");
}

TEST(MaskEmail, KeepsTheFirstCharacterAndTheDomain) {
  EXPECT_EQ(MaskEmail("zhang.san@example.com"), "z***@example.com");
  EXPECT_EQ(MaskEmail("a@b.cn"), "a***@b.cn");
  EXPECT_EQ(MaskEmail("not an address"), "***");
  EXPECT_EQ(MaskEmail("@example.com"), "***");
}

TEST(MaskPii, MasksPhonesAndEmailsWhereverAProfileKeepsThem) {
  v1::Profile profile;
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_name("华南贸易");
  customer.set_contact_phone("+8613800138000");
  customer.set_email("li@example.com");
  (*customer.mutable_original_values())["contact_phone"] = "138 0013 8000";
  (*customer.mutable_original_values())["industry"] = "制造";
  profile.add_identities("phone:+8613800138000");
  profile.add_identities("email:li@example.com");
  profile.add_identities("visitor:v-42");
  v1::FieldChange& phone = *profile.mutable_master_change()->add_fields();
  phone.set_field("contact_phone");
  phone.set_old_value(R"("+8613900139000")");
  phone.set_new_value(R"("+8613800138000")");
  v1::FieldChange& name = *profile.mutable_master_change()->add_fields();
  name.set_field("name");
  name.set_new_value(R"("华南贸易")");

  MaskPii(profile);
  EXPECT_EQ(customer.name(), "华南贸易");
  EXPECT_EQ(customer.contact_phone(), "+86138****8000");
  EXPECT_EQ(customer.email(), "l***@example.com");
  EXPECT_EQ(customer.original_values().at("contact_phone"), "138 **** 8000");
  EXPECT_EQ(customer.original_values().at("industry"), "制造");
  EXPECT_EQ(std::vector<std::string>(profile.identities().begin(), profile.identities().end()),
            (std::vector<std::string>{"phone:+86138****8000", "email:l***@example.com", "visitor:v-42"}));
  EXPECT_EQ(phone.old_value(), R"("+86139****9000")");
  EXPECT_EQ(phone.new_value(), R"("+86138****8000")");
  EXPECT_EQ(name.new_value(), R"("华南贸易")");
}

}  // namespace
}  // namespace custflow::domain
