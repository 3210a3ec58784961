#include "custflow/domain/profile_fold.h"

#include <gtest/gtest.h>

#include "custflow/domain/identity.h"

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

TEST(ProfileFold, CountsOrdersPerQuarter) {
  v1::Profile profile = NewProfile();
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'782'864'000));  // 2026-07-01
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'790'812'799));  // 2026-09-30 23:59:59
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'790'812'800));  // 2026-10-01
  EXPECT_EQ(profile.orders_by_quarter().at("2026-Q3"), 2u);
  EXPECT_EQ(profile.orders_by_quarter().at("2026-Q4"), 1u);
}

TEST(ProfileFold, MeasuresTheResponseToTheOldestUnansweredContact) {
  v1::Profile profile = NewProfile();
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_CALL_MISSED, 1000));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_WEB_FORM_SUBMIT, 2000));
  EXPECT_EQ(profile.awaiting_response_since().seconds(), 1000);
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_CALL_CALLBACK, 4600));
  EXPECT_FALSE(profile.has_awaiting_response_since());
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_COMPLAINT_OPENED, 10'000));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_COMPLAINT_RESOLVED, 10'400));
  EXPECT_EQ(profile.response_count(), 2u);
  EXPECT_EQ(profile.response_seconds_sum(), 3600u + 400u);
  EXPECT_EQ(profile.last_response_seconds(), 400u);
  EXPECT_EQ(profile.complaint_resolved_count(), 1u);
}

TEST(ProfileFold, CountsQuotesAndKeepsTheLastTenRejections) {
  v1::Profile profile = NewProfile();
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_QUOTE_SENT, 10));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_QUOTE_ACCEPTED, 20));
  for (int64_t at = 112; at >= 100; --at)
    ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_QUOTE_REJECTED, at));
  EXPECT_EQ(profile.quotes_sent(), 1u);
  EXPECT_EQ(profile.quotes_accepted(), 1u);
  EXPECT_EQ(profile.quotes_rejected(), 13u);
  ASSERT_EQ(profile.recent_quote_rejections_size(), 10);
  EXPECT_EQ(profile.recent_quote_rejections(0).seconds(), 103);
  EXPECT_EQ(profile.recent_quote_rejections(9).seconds(), 112);
}

TEST(ProfileFold, UpsertWithoutMaskReplacesListsInsteadOfAppending) {
  v1::Profile profile = NewProfile();
  v1::Command upsert;
  upsert.mutable_upsert()->mutable_customer()->add_vehicles()->set_vin("LSVAU2180N2183294");
  ApplyCommand(profile, upsert);
  ApplyCommand(profile, upsert);
  EXPECT_EQ(profile.customer().vehicles_size(), 1);
}

v1::Command MergeInto(const std::string& survivor) {
  v1::Command command;
  command.mutable_merge()->set_survivor_id(survivor);
  command.mutable_merge()->set_merged_id("cu_1");
  return command;
}

TEST(ProfileFold, AMergeMarksTheMergedProfileOnce) {
  v1::Profile profile = NewProfile();
  EXPECT_TRUE(ApplyCommand(profile, MergeInto("cu_9")));
  EXPECT_EQ(profile.merged_into(), "cu_9");
  uint64_t version = profile.version();
  EXPECT_FALSE(ApplyCommand(profile, MergeInto("cu_8")));
  EXPECT_EQ(profile.merged_into(), "cu_9");
  EXPECT_EQ(profile.version(), version);
}

TEST(ProfileFold, AbsorbAddsTheMergedHistoryOnceAndFillsEmptyFields) {
  v1::Profile survivor;
  survivor.set_customer_id("cu_s");
  survivor.mutable_customer()->set_name("华南贸易");
  ApplyInteraction(survivor, Event(v1::INTERACTION_TYPE_CALL_INBOUND, 500));

  v1::Profile merged = NewProfile();
  merged.mutable_customer()->set_name("华南贸易有限公司");
  merged.mutable_customer()->set_owner("李娜");
  merged.add_merged_ids("cu_0");
  v1::Interaction order = Event(v1::INTERACTION_TYPE_ORDER_PLACED, 300);
  order.mutable_amount()->set_amount_minor(100'00);
  order.mutable_amount()->set_currency("CNY");
  ApplyInteraction(merged, order);
  ApplyInteraction(merged, Event(v1::INTERACTION_TYPE_CALL_INBOUND, 200));

  v1::Command absorb;
  *absorb.mutable_absorb()->mutable_merged() = merged;
  EXPECT_TRUE(ApplyCommand(survivor, absorb));
  EXPECT_FALSE(ApplyCommand(survivor, absorb));

  EXPECT_EQ(survivor.customer().name(), "华南贸易");
  EXPECT_EQ(survivor.customer().owner(), "李娜");
  EXPECT_EQ(survivor.customer().customer_id(), "cu_s");
  EXPECT_EQ(survivor.customer().type(), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(survivor.customer().first_contact_at().seconds(), 200);
  EXPECT_EQ(InteractionCount(survivor), 3u);
  EXPECT_EQ(survivor.interaction_counts().at("INTERACTION_TYPE_CALL_INBOUND"), 2u);
  EXPECT_EQ(survivor.order_count(), 1u);
  EXPECT_EQ(survivor.cumulative_amount().amount_minor(), 100'00);
  EXPECT_EQ(survivor.first_order_at().seconds(), 300);
  EXPECT_EQ(survivor.last_interaction_at().seconds(), 500);
  EXPECT_EQ(std::vector<std::string>(survivor.merged_ids().begin(), survivor.merged_ids().end()),
            (std::vector<std::string>{"cu_1", "cu_0"}));
}

TEST(ProfileFold, AForwardedInteractionCountsLikeAnyOther) {
  v1::Profile profile = NewProfile();
  v1::Command forwarded;
  *forwarded.mutable_forwarded()->mutable_interaction() = Event(v1::INTERACTION_TYPE_GRUMBLE, 50);
  EXPECT_TRUE(ApplyCommand(profile, forwarded));
  EXPECT_EQ(profile.grumble_count(), 1u);
  EXPECT_EQ(profile.version(), 1u);
}

TEST(ProfileFold, RemembersTheIdentitiesEventsCarryAtMostTwenty) {
  v1::Profile profile = NewProfile();
  v1::Interaction login = Event(v1::INTERACTION_TYPE_WEB_IDENTIFY, 10);
  login.mutable_customer()->set_visitor_id(" v-42 ");
  login.mutable_customer()->set_login_id("u-7");
  ApplyInteraction(profile, login);
  ApplyInteraction(profile, login);
  EXPECT_EQ(std::vector<std::string>(profile.identities().begin(), profile.identities().end()),
            (std::vector<std::string>{"login:u-7", "visitor:v-42"}));
  for (int i = 0; i < 25; ++i) {
    v1::Interaction view = Event(v1::INTERACTION_TYPE_WEB_PAGE_VIEW, 20 + i);
    view.mutable_customer()->set_visitor_id("device-" + std::to_string(i));
    ApplyInteraction(profile, view);
  }
  ASSERT_EQ(profile.identities_size(), 20);
  EXPECT_EQ(profile.identities(0), "visitor:device-5");
  EXPECT_EQ(profile.identities(19), "visitor:device-24");
  EXPECT_EQ(ProfileIdentityIndexKeys(profile).size(), 20u);
}

TEST(ProfileFold, KeepsTheLastTenFollowUpsOldestFirst) {
  v1::Profile profile = NewProfile();
  for (int64_t at = 112; at >= 100; --at) {
    v1::Interaction follow_up = Event(v1::INTERACTION_TYPE_FOLLOW_UP, at);
    follow_up.set_agent("王芳");
    follow_up.mutable_follow_up()->set_content("回访 " + std::to_string(at));
    ApplyInteraction(profile, follow_up);
  }
  EXPECT_EQ(profile.follow_up_count(), 13u);
  ASSERT_EQ(profile.recent_follow_ups_size(), 10);
  EXPECT_EQ(profile.recent_follow_ups(0).occurred_at().seconds(), 103);
  EXPECT_EQ(profile.recent_follow_ups(9).detail().content(), "回访 112");
  EXPECT_EQ(profile.recent_follow_ups(9).agent(), "王芳");
  EXPECT_EQ(profile.recent_follow_ups(9).event_id(), "e112");
}

}  // namespace
}  // namespace custflow::domain
