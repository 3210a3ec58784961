#include "services/ingest/event_validation.h"

#include <gtest/gtest.h>

namespace custflow::ingest {
namespace {

v1::Interaction ValidEvent() {
  v1::Interaction event;
  event.set_event_id("ev-1");
  event.mutable_customer()->set_phone("+8613800138000");
  event.set_type(v1::INTERACTION_TYPE_CALL_INBOUND);
  event.mutable_occurred_at()->set_seconds(1'790'000'000);
  return event;
}

struct ValidationCase {
  std::string name;
  std::function<void(v1::Interaction&)> break_it;
  std::string field;
  std::string description;
};

class ValidateEventTest : public ::testing::TestWithParam<ValidationCase> {};

TEST_P(ValidateEventTest, NamesTheFieldAndTheReason) {
  v1::Interaction event = ValidEvent();
  GetParam().break_it(event);
  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, {}, "events[2]");
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field(), GetParam().field);
  EXPECT_EQ(violations[0].description(), GetParam().description);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ValidateEventTest,
    ::testing::Values(
        ValidationCase{"MissingEventId", [](auto& e) { e.clear_event_id(); }, "events[2].event_id", "is required"},
        ValidationCase{"LongEventId", [](auto& e) { e.set_event_id(std::string(129, 'x')); }, "events[2].event_id",
                       "is longer than 128 bytes"},
        ValidationCase{"NoCustomer", [](auto& e) { e.mutable_customer()->set_phone(" "); }, "events[2].customer",
                       "needs a customer_id, phone, email, login_id or visitor_id"},
        ValidationCase{"NoType", [](auto& e) { e.clear_type(); }, "events[2].type", "is required"},
        ValidationCase{"NoTime", [](auto& e) { e.clear_occurred_at(); }, "events[2].occurred_at", "is required"},
        ValidationCase{"NegativeAmount", [](auto& e) { e.mutable_amount()->set_amount_minor(-1); },
                       "events[2].amount.amount_minor", "must not be negative"},
        ValidationCase{"SatisfactionOutOfRange", [](auto& e) { e.set_satisfaction(6); }, "events[2].satisfaction",
                       "must be between 1 and 5"}),
    [](const auto& test) { return test.param.name; });

TEST(ValidateEvent, AcceptsAValidEvent) {
  v1::Interaction event = ValidEvent();
  EXPECT_TRUE(ValidateAndNormalize(event, {}, "event").empty());
}

TEST(ValidateEvent, ReportsEveryViolationAtOnce) {
  v1::Interaction event;
  EXPECT_EQ(ValidateAndNormalize(event, {}, "event").size(), 4u);
}

}  // namespace
}  // namespace custflow::ingest
