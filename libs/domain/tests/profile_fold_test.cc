#include "custflow/domain/profile_fold.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

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

v1::Command SetTagsCommand(std::vector<std::string> tags, const std::string& grade) {
  v1::Command command;
  command.mutable_set_tags()->mutable_tags()->Assign(tags.begin(), tags.end());
  command.mutable_set_tags()->set_grade(grade);
  return command;
}

std::vector<std::string> List(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return {items.begin(), items.end()};
}

using Rules = std::map<std::string, std::string>;
using Amounts = std::map<std::string, int64_t>;

template <typename Value>
std::map<std::string, Value> Sorted(const google::protobuf::Map<std::string, Value>& items) {
  return {items.begin(), items.end()};
}

TEST(ProfileFold, SetTagsStoresSortedTagsAndRecordsWhatChangedWithTheRules) {
  v1::Profile profile = NewProfile();
  profile.set_version(4);
  profile.add_tags("old");
  profile.add_tags("keep");
  v1::Command command = SetTagsCommand({"value:high", "keep", "follow-up:high"}, "A");
  command.mutable_issued_at()->set_seconds(1'000);
  command.mutable_set_tags()->set_rules_version("rules-7");
  auto& rules = *command.mutable_set_tags()->mutable_rules();
  rules["value:high"] = "value-high@2";
  rules["follow-up:high"] = "follow-up-high@1";
  rules["old"] = "old-rule@3";
  rules["keep"] = "keep@1";

  ASSERT_TRUE(ApplyCommand(profile, command));

  EXPECT_EQ(profile.version(), 5u);
  EXPECT_EQ(List(profile.tags()), (std::vector<std::string>{"follow-up:high", "keep", "value:high"}));
  EXPECT_EQ(profile.grade(), "A");
  const v1::TagChange& change = profile.tag_change();
  EXPECT_EQ(change.version(), 5u);
  EXPECT_EQ(change.changed_at().seconds(), 1'000);
  EXPECT_EQ(List(change.added()), (std::vector<std::string>{"follow-up:high", "value:high"}));
  EXPECT_EQ(List(change.removed()), (std::vector<std::string>{"old"}));
  EXPECT_EQ(change.rules_version(), "rules-7");
  EXPECT_EQ(
      Sorted(change.rules()),
      (Rules{{"follow-up:high", "follow-up-high@1"}, {"old", "old-rule@3"}, {"value:high", "value-high@2"}}));
}

struct TagDiffCase {
  std::string name;
  std::vector<std::string> current_tags;
  std::string current_grade;
  std::vector<std::string> tags;
  std::string grade;
  bool changes;
  std::vector<std::string> added;
  std::vector<std::string> removed;
};

class SetTagsDiffTest : public ::testing::TestWithParam<TagDiffCase> {};

TEST_P(SetTagsDiffTest, ChangesTheProfileOnlyWhenTagsOrGradeDiffer) {
  const TagDiffCase& tested = GetParam();
  v1::Profile profile = NewProfile();
  profile.set_version(7);
  profile.mutable_tags()->Assign(tested.current_tags.begin(), tested.current_tags.end());
  profile.set_grade(tested.current_grade);
  profile.mutable_tag_change()->set_version(3);
  const v1::Profile before = profile;

  bool changed = ApplyCommand(profile, SetTagsCommand(tested.tags, tested.grade));

  ASSERT_EQ(changed, tested.changes);
  if (!changed) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(profile, before)) << profile.DebugString();
    return;
  }
  EXPECT_EQ(profile.version(), 8u);
  EXPECT_EQ(profile.grade(), tested.grade);
  EXPECT_EQ(profile.tag_change().version(), 8u);
  EXPECT_EQ(List(profile.tag_change().added()), tested.added);
  EXPECT_EQ(List(profile.tag_change().removed()), tested.removed);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, SetTagsDiffTest,
    ::testing::Values(TagDiffCase{"SameTagsAndGrade", {"a", "b"}, "B", {"a", "b"}, "B", false, {}, {}},
                      TagDiffCase{
                          "SameTagsInAnotherOrder", {"b", "a"}, "B", {"a", "b", "a"}, "B", false, {}, {}},
                      TagDiffCase{"NoTagsNoGradeStayEmpty", {}, "", {}, "", false, {}, {}},
                      TagDiffCase{"GradeOnly", {"a"}, "B", {"a"}, "A", true, {}, {}},
                      TagDiffCase{"FirstTags", {}, "", {"z", "a"}, "", true, {"a", "z"}, {}},
                      TagDiffCase{"AllTagsDropped", {"a", "b"}, "C", {}, "C", true, {}, {"a", "b"}},
                      TagDiffCase{"OneSwapped",
                                  {"value:low", "region:east"},
                                  "C",
                                  {"region:east", "value:high"},
                                  "C",
                                  true,
                                  {"value:high"},
                                  {"value:low"}}),
    [](const ::testing::TestParamInfo<TagDiffCase>& tested) { return tested.param.name; });

TEST(ProfileFold, SetTagsKeepsOnlyTheRulesOfChangedTags) {
  v1::Profile profile = NewProfile();
  profile.add_tags("keep");
  v1::Command command = SetTagsCommand({"keep", "new"}, "");
  (*command.mutable_set_tags()->mutable_rules())["keep"] = "keep@1";

  ASSERT_TRUE(ApplyCommand(profile, command));

  // "new" came without a rule: it is recorded as added, with no rule entry.
  EXPECT_EQ(List(profile.tag_change().added()), (std::vector<std::string>{"new"}));
  EXPECT_TRUE(profile.tag_change().rules().empty());
}

TEST(ProfileFold, SetTagsAppliesOnlyToTheVersionItWasComputedFrom) {
  v1::Profile profile = NewProfile();
  profile.set_version(7);
  v1::Command stale = SetTagsCommand({"value:low"}, "D");
  stale.mutable_set_tags()->set_profile_version(6);
  EXPECT_FALSE(ApplyCommand(profile, stale));
  EXPECT_EQ(profile.tags_size(), 0);
  EXPECT_EQ(profile.version(), 7u);

  v1::Command current = SetTagsCommand({"value:high"}, "A");
  current.mutable_set_tags()->set_profile_version(7);
  ASSERT_TRUE(ApplyCommand(profile, current));
  EXPECT_EQ(List(profile.tags()), (std::vector<std::string>{"value:high"}));
  EXPECT_EQ(profile.version(), 8u);
  // Computed from version 7, it does not apply again to version 8.
  current.mutable_set_tags()->add_tags("extra");
  EXPECT_FALSE(ApplyCommand(profile, current));
}

TEST(ProfileFold, AddsOrderAndRefundAmountsToTheirQuarter) {
  v1::Profile profile = NewProfile();
  auto with_amount = [](v1::Interaction event, int64_t minor) {
    event.mutable_amount()->set_amount_minor(minor);
    event.mutable_amount()->set_currency("CNY");
    return event;
  };
  ApplyInteraction(profile, with_amount(Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'782'864'000), 500'00));
  ApplyInteraction(profile, with_amount(Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'790'812'799), 250'00));
  ApplyInteraction(profile, with_amount(Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'790'812'800), 100'00));
  ApplyInteraction(profile, with_amount(Event(v1::INTERACTION_TYPE_ORDER_REFUNDED, 1'790'900'000), 40'00));
  ApplyInteraction(profile, Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'800'000'000));  // no amount

  EXPECT_EQ(Sorted(profile.amount_by_quarter()), (Amounts{{"2026-Q3", 750'00}, {"2026-Q4", 60'00}}));
  EXPECT_EQ(profile.cumulative_amount().amount_minor(), 810'00);
}

TEST(ProfileFold, AbsorbAddsQuarterAmountsOnlyInTheSameCurrency) {
  auto profile_with = [](const std::string& id, const std::string& currency, int64_t q3_amount) {
    v1::Profile profile;
    profile.set_customer_id(id);
    profile.mutable_cumulative_amount()->set_currency(currency);
    profile.mutable_cumulative_amount()->set_amount_minor(q3_amount);
    (*profile.mutable_amount_by_quarter())["2026-Q3"] = q3_amount;
    return profile;
  };
  v1::Profile survivor = profile_with("cu_s", "CNY", 100);
  v1::Profile same = profile_with("cu_a", "CNY", 30);
  (*same.mutable_amount_by_quarter())["2026-Q4"] = 5;
  v1::Profile other = profile_with("cu_b", "USD", 70);

  AbsorbProfile(survivor, same);
  AbsorbProfile(survivor, other);

  EXPECT_EQ(Sorted(survivor.amount_by_quarter()), (Amounts{{"2026-Q3", 130}, {"2026-Q4", 5}}));
  EXPECT_EQ(survivor.cumulative_amount().amount_minor(), 130);
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

// One recorded field change as "field: old -> new".
std::vector<std::string> Changes(const v1::MasterDataChange& change) {
  std::vector<std::string> lines;
  for (const v1::FieldChange& field : change.fields())
    lines.push_back(field.field() + ": " + field.old_value() + " -> " + field.new_value());
  return lines;
}

TEST(ProfileFold, MasterDataCommandsRecordWhoChangedWhichFieldFromWhatToWhat) {
  v1::Profile profile = NewProfile();
  v1::Command create;
  create.set_command_id("cmd-1");
  create.set_actor("rep.x");
  create.set_origin("UpsertCustomer");
  create.mutable_issued_at()->set_seconds(1'700'000'000);
  create.mutable_upsert()->mutable_customer()->set_name("华南贸易");
  create.mutable_upsert()->mutable_customer()->set_contact_phone("+8613800138000");
  ASSERT_TRUE(ApplyCommand(profile, create));
  EXPECT_EQ(profile.master_change().version(), profile.version());
  EXPECT_EQ(profile.master_change().actor(), "rep.x");
  EXPECT_EQ(profile.master_change().origin(), "UpsertCustomer");
  EXPECT_EQ(profile.master_change().command_id(), "cmd-1");
  EXPECT_EQ(profile.master_change().changed_at().seconds(), 1'700'000'000);
  EXPECT_EQ(Changes(profile.master_change()),
            (std::vector<std::string>{R"(customer_id:  -> "cu_1")", R"(name:  -> "华南贸易")",
                                      R"(contact_phone:  -> "+8613800138000")",
                                      R"(type:  -> "CUSTOMER_TYPE_POTENTIAL")"}));

  v1::Command change;
  change.set_command_id("cmd-2");
  change.set_actor("boss.east");
  change.set_origin("ImportCustomers:customers.csv");
  change.mutable_upsert()->mutable_customer()->set_contact_phone("+8613900139000");
  change.mutable_upsert()->mutable_customer()->mutable_region()->set_province("广东省");
  change.mutable_upsert()->mutable_update_mask()->add_paths("contact_phone");
  change.mutable_upsert()->mutable_update_mask()->add_paths("region");
  ASSERT_TRUE(ApplyCommand(profile, change));
  EXPECT_EQ(profile.master_change().version(), 2u);
  EXPECT_EQ(profile.master_change().actor(), "boss.east");
  EXPECT_EQ(Changes(profile.master_change()),
            (std::vector<std::string>{R"(contact_phone: "+8613800138000" -> "+8613900139000")",
                                      R"(region:  -> {"province":"广东省"})"}));

  // Writing the same values again changes nothing: the last change stays as it was.
  change.set_command_id("cmd-3");
  ApplyCommand(profile, change);
  EXPECT_EQ(profile.master_change().command_id(), "cmd-2");
  EXPECT_EQ(profile.master_change().version(), 2u);

  // Tags are not master data (tag_change records them).
  ApplyCommand(profile, SetTagsCommand({"vip"}, "A"));
  EXPECT_EQ(profile.master_change().command_id(), "cmd-2");
}

TEST(ProfileFold, MergeAndAbsorbRecordTheMergeFields) {
  v1::Profile merged = NewProfile();
  v1::Command merge = MergeInto("cu_9");
  merge.set_actor("root");
  merge.set_origin("MergeCustomers");
  ASSERT_TRUE(ApplyCommand(merged, merge));
  EXPECT_EQ(Changes(merged.master_change()),
            (std::vector<std::string>{R"(customer_id:  -> "cu_1")", R"(type:  -> "CUSTOMER_TYPE_POTENTIAL")",
                                      R"(merged_into:  -> "cu_9")"}));

  v1::Profile survivor;
  survivor.set_customer_id("cu_9");
  survivor.mutable_customer()->set_customer_id("cu_9");
  survivor.mutable_customer()->set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  merged.mutable_customer()->set_email("a@example.com");
  v1::Command absorb;
  absorb.set_actor("root");
  absorb.set_origin("MergeCustomers");
  *absorb.mutable_absorb()->mutable_merged() = merged;
  ASSERT_TRUE(ApplyCommand(survivor, absorb));
  EXPECT_EQ(survivor.master_change().actor(), "root");
  EXPECT_EQ(Changes(survivor.master_change()),
            (std::vector<std::string>{R"(email:  -> "a@example.com")", R"(merged_ids:  -> ["cu_1"])"}));
}

TEST(ProfileFold, EraseClearsPersonalDataKeepsCountsAndLaterEventsAddNone) {
  v1::Profile profile = NewProfile();
  v1::Command upsert;
  v1::Customer& customer = *upsert.mutable_upsert()->mutable_customer();
  customer.set_name("华南贸易");
  customer.set_contact_phone("+8613800138000");
  customer.set_email("li@example.com");
  customer.set_owner("李娜");
  customer.mutable_region()->set_province("广东省");
  ApplyCommand(profile, upsert);
  v1::Interaction order = Event(v1::INTERACTION_TYPE_ORDER_PLACED, 1'700'000'000);
  order.mutable_customer()->set_phone("+8613800138000");
  ApplyInteraction(profile, order);
  v1::Interaction follow_up = Event(v1::INTERACTION_TYPE_FOLLOW_UP, 1'700'000'100);
  follow_up.mutable_follow_up()->set_content("他的手机 13800138000");
  follow_up.mutable_follow_up()->set_stage("需求确认");
  ApplyInteraction(profile, follow_up);
  ASSERT_FALSE(profile.identities().empty());

  v1::Command erase;
  erase.set_actor("root");
  erase.set_origin("EraseCustomer");
  erase.set_command_id("cmd-erase");
  erase.mutable_issued_at()->set_seconds(1'700'000'200);
  erase.mutable_erase();
  ASSERT_TRUE(ApplyCommand(profile, erase));
  EXPECT_EQ(profile.erased_at().seconds(), 1'700'000'200);
  EXPECT_EQ(profile.customer().name(), "");
  EXPECT_EQ(profile.customer().contact_phone(), "");
  EXPECT_EQ(profile.customer().email(), "");
  EXPECT_TRUE(profile.identities().empty());
  ASSERT_EQ(profile.recent_follow_ups_size(), 1);
  EXPECT_EQ(profile.recent_follow_ups(0).detail().content(), "");
  EXPECT_EQ(profile.recent_follow_ups(0).detail().stage(), "需求确认");
  // Counts, ownership and place stay.
  EXPECT_EQ(profile.order_count(), 1u);
  EXPECT_EQ(profile.customer().owner(), "李娜");
  EXPECT_EQ(profile.customer().region().province(), "广东省");
  // Audited without the values.
  EXPECT_EQ(profile.master_change().origin(), "EraseCustomer");
  EXPECT_EQ(profile.master_change().version(), profile.version());
  std::vector<std::string> fields;
  for (const v1::FieldChange& change : profile.master_change().fields()) {
    fields.push_back(change.field());
    EXPECT_EQ(change.old_value(), "(erased)");
    EXPECT_EQ(change.new_value().find("138"), std::string::npos) << change.new_value();
  }
  EXPECT_EQ(fields,
            (std::vector<std::string>{"name", "contact_phone", "email", "identities", "recent_follow_ups"}));

  // Erasing again changes nothing; later events add no identities or texts.
  const uint64_t version = profile.version();
  EXPECT_FALSE(ApplyCommand(profile, erase));
  EXPECT_EQ(profile.version(), version);
  ApplyInteraction(profile, order);
  ApplyInteraction(profile, follow_up);
  EXPECT_TRUE(profile.identities().empty());
  EXPECT_EQ(profile.recent_follow_ups(1).detail().content(), "");
  EXPECT_EQ(profile.order_count(), 2u);
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
