#include "custflow/sample/vin.h"

#include <gtest/gtest.h>

#include <string>

namespace custflow::sample {
namespace {

struct VinCase {
  const char* vin;
  bool valid;
};

class VinValidity : public ::testing::TestWithParam<VinCase> {};

TEST_P(VinValidity, IsValidVinChecksLengthAlphabetAndCheckDigit) {
  EXPECT_EQ(IsValidVin(GetParam().vin), GetParam().valid) << GetParam().vin;
}

INSTANTIATE_TEST_SUITE_P(Vins, VinValidity,
                         ::testing::Values(VinCase{"1M8GDM9AXKP042788", true},    // the textbook example
                                           VinCase{"1M8GDM9A1KP042788", false},   // wrong check digit
                                           VinCase{"1M8GDM9AXKP04278", false},    // 16 characters
                                           VinCase{"1M8GDM9AXKP0427888", false},  // 18 characters
                                           VinCase{"1M8GDM9AXKO042788", false},   // O is not allowed
                                           VinCase{"1m8gdm9axkp042788", false}));

TEST(VinCheckDigit, IgnoresWhatPositionNineHolds) {
  EXPECT_EQ(VinCheckDigit("1M8GDM9A0KP042788"), 'X');
  EXPECT_EQ(VinCheckDigit("1M8GDM9AXKP042788"), 'X');
}

}  // namespace
}  // namespace custflow::sample
