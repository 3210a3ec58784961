// NormalizePhoneNumber: E.164 for valid numbers in any common format, and the reasons
// ingest and cleansing report for the others.
#include "custflow/domain/phone_number.h"

#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

struct PhoneCase {
  std::string phone;
  std::string region;
  std::string e164;
  std::string error;
};

class NormalizePhoneNumberTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(NormalizePhoneNumberTest, GivesE164OrTheReason) {
  const PhoneCase& c = GetParam();
  PhoneResult result = NormalizePhoneNumber(c.phone, c.region);
  EXPECT_EQ(result.e164, c.e164);
  EXPECT_EQ(result.error, c.error);
  // The cached answer is the same.
  PhoneResult again = NormalizePhoneNumber(c.phone, c.region);
  EXPECT_EQ(again.e164, c.e164);
  EXPECT_EQ(again.error, c.error);
}

INSTANTIATE_TEST_SUITE_P(
    Numbers, NormalizePhoneNumberTest,
    ::testing::Values(PhoneCase{"13800138000", "CN", "+8613800138000", ""},
                      PhoneCase{"138-0013-8000", "CN", "+8613800138000", ""},
                      PhoneCase{"+86 138 0013 8000", "US", "+8613800138000", ""},
                      PhoneCase{"(0755) 8888 1234", "CN", "+8675588881234", ""},
                      PhoneCase{"not a phone", "CN", "", "is not a phone number"},
                      PhoneCase{"12", "CN", "", "is not a valid number for country code +86"},
                      PhoneCase{"1380013800", "CN", "", "is not a valid number for country code +86"},
                      PhoneCase{"13800138000", "ZZ", "",
                                "has no known country calling code (default region ZZ)"}));

}  // namespace
}  // namespace custflow::domain
