#include "custflow/domain/customer_type.h"

#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

TEST(CustomerType, EveryTypeHasAWordThatReadsBack) {
  for (v1::CustomerType type :
       {v1::CUSTOMER_TYPE_POTENTIAL, v1::CUSTOMER_TYPE_CLOSED, v1::CUSTOMER_TYPE_LOST}) {
    ASSERT_FALSE(CustomerTypeWord(type).empty());
    EXPECT_EQ(CustomerTypeFromWord(CustomerTypeWord(type)), type);
  }
  EXPECT_EQ(CustomerTypeWord(v1::CUSTOMER_TYPE_UNSPECIFIED), "");
  EXPECT_EQ(CustomerTypeFromWord(""), std::nullopt);
  EXPECT_EQ(CustomerTypeFromWord("won"), std::nullopt);
}

}  // namespace
}  // namespace custflow::domain
