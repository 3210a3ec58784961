#include "custflow/domain/profile_fold.h"

#include <gtest/gtest.h>

namespace custflow::domain {
namespace {

v1::Interaction Event(v1::InteractionType type, int64_t seconds) {
  v1::Interaction event;
  event.set_event_id("e" + std::to_string(seconds));
  event.set_type(type);
  event.mutable_occurred_at()->set_seconds(seconds);
  return event;
}

v1::Profile NewProfile() {
  v1::Profile profile;
  profile.set_customer_id("cu_1");
  return profile;
}

TEST(ProfileFold, FirstOrderClosesAPotentialCustomerAndAddsTheAmount) {
  v1::Profile profile = NewProfile();
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_CALL_INBOUND, 100));
  EXPECT_EQ(profile.customer().type(), v1::CUSTOMER_TYPE_POTENTIAL);

  v1::Interaction order = Event(v1::INTERACTION_TYPE_ORDER_PLACED, 200);
  order.mutable_amount()->set_amount_minor(12'345'00);
  order.mutable_amount()->set_currency("CNY");
  ApplyInteraction(profile, order);
  v1::Interaction refund = Event(v1::INTERACTION_TYPE_ORDER_REFUNDED, 300);
  refund.mutable_amount()->set_amount_minor(345'00);
  refund.mutable_amount()->set_currency("CNY");
  ApplyInteraction(profile, refund);

  EXPECT_EQ(profile.customer().type(), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(profile.order_count(), 1u);
  EXPECT_EQ(profile.cumulative_amount().amount_minor(), 12'000'00);
  EXPECT_EQ(profile.cumulative_amount().currency(), "CNY");
  EXPECT_EQ(profile.first_order_at().seconds(), 200);
  EXPECT_EQ(profile.version(), 3u);
  EXPECT_EQ(InteractionCount(profile), 3u);
  EXPECT_EQ(profile.interaction_counts().at("INTERACTION_TYPE_ORDER_PLACED"), 1u);
}

TEST(ProfileFold, KeepsLatestAndEarliestTimesWhateverTheOrder) {
  v1::Profile profile = NewProfile();
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_FOLLOW_UP, 500));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_FOLLOW_UP, 400));
  EXPECT_EQ(profile.last_follow_up_at().seconds(), 500);
  EXPECT_EQ(profile.last_interaction_at().seconds(), 500);
  EXPECT_EQ(profile.customer().first_contact_at().seconds(), 400);
  EXPECT_EQ(profile.follow_up_count(), 2u);
}

TEST(ProfileFold, CountsSatisfactionComplaintsGrumblesAndVisits) {
  v1::Profile profile = NewProfile();
  v1::Interaction survey = Event(v1::INTERACTION_TYPE_SURVEY_ANSWERED, 10);
  survey.set_satisfaction(4);
  ApplyInteraction(profile, survey);
  survey.set_satisfaction(2);
  ApplyInteraction(profile, survey);
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_COMPLAINT_OPENED, 20));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_GRUMBLE, 30));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_STORE_VISIT, 40));
  EXPECT_EQ(profile.satisfaction_count(), 2u);
  EXPECT_EQ(profile.satisfaction_sum(), 6u);
  EXPECT_EQ(profile.complaint_count(), 1u);
  EXPECT_EQ(profile.grumble_count(), 1u);
  EXPECT_EQ(profile.last_store_visit_at().seconds(), 40);
}

TEST(ProfileFold, UpsertWithMaskWritesOnlyMaskedFields) {
  v1::Profile profile = NewProfile();
  v1::Command first;
  first.mutable_upsert()->mutable_customer()->set_name("华南贸易有限公司");
  first.mutable_upsert()->mutable_customer()->mutable_region()->set_province("广东省");
  ApplyCommand(profile, first);

  v1::Command second;
  second.mutable_upsert()->mutable_customer()->set_name("ignored");
  second.mutable_upsert()->mutable_customer()->set_owner("李娜");
  second.mutable_upsert()->mutable_update_mask()->add_paths("owner");
  ApplyCommand(profile, second);

  EXPECT_EQ(profile.customer().name(), "华南贸易有限公司");
  EXPECT_EQ(profile.customer().owner(), "李娜");
  EXPECT_EQ(profile.customer().region().province(), "广东省");
  EXPECT_EQ(profile.customer().customer_id(), "cu_1");
  EXPECT_EQ(profile.version(), 2u);
}

TEST(ProfileFold, SetTagsReplacesTagsAndGrade) {
  v1::Profile profile = NewProfile();
  profile.add_tags("old");
  v1::Command command;
  command.mutable_set_tags()->add_tags("follow-up:high");
  command.mutable_set_tags()->set_grade("A");
  ApplyCommand(profile, command);
  ASSERT_EQ(profile.tags_size(), 1);
  EXPECT_EQ(profile.tags(0), "follow-up:high");
  EXPECT_EQ(profile.grade(), "A");
}

}  // namespace
}  // namespace custflow::domain
