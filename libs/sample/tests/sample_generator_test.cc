#include "custflow/sample/sample_generator.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "custflow/sample/vin.h"
#include "services/ingest/event_validation.h"

namespace custflow::sample {
namespace {

using std::chrono::system_clock;

// A fixed clock, so that two generators make byte-identical data.
const system_clock::time_point kNow = system_clock::from_time_t(1'717'200'000);  // 2024-06-01

GeneratorOptions Options(uint64_t seed, int customers = 200, double identity_mix = 0.0) {
  return {.seed = seed, .run = "t", .customers = customers, .identity_mix = identity_mix, .now = kNow};
}

std::vector<v1::Interaction> Events(const SampleGenerator& generator, int count) {
  std::vector<v1::Interaction> events;
  for (int i = 0; i < count; ++i) events.push_back(generator.Event(static_cast<uint64_t>(i)));
  return events;
}

bool SameMessages(const auto& left, const auto& right) {
  if (left.size() != right.size()) return false;
  for (size_t i = 0; i < left.size(); ++i) {
    if (!google::protobuf::util::MessageDifferencer::Equals(left[i], right[i])) return false;
  }
  return true;
}

TEST(SampleGenerator, SameSeedMakesIdenticalCustomersAndEvents) {
  SampleGenerator first(Options(7, 200, 0.3));
  SampleGenerator second(Options(7, 200, 0.3));
  EXPECT_TRUE(SameMessages(first.customers(), second.customers()));
  EXPECT_TRUE(SameMessages(Events(first, 2000), Events(second, 2000)));
}

TEST(SampleGenerator, DifferentSeedsMakeDifferentData) {
  SampleGenerator first(Options(7));
  SampleGenerator second(Options(8));
  EXPECT_FALSE(SameMessages(first.customers(), second.customers()));
  EXPECT_FALSE(SameMessages(Events(first, 100), Events(second, 100)));
}

TEST(SampleGenerator, AnEventDoesNotDependOnWhichEventsWereMadeBefore) {
  SampleGenerator busy(Options(7));
  Events(busy, 1000);
  SampleGenerator fresh(Options(7));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(busy.Event(777), fresh.Event(777)));
}

TEST(SampleGenerator, EveryInteractionTypeAppearsInALargeSample) {
  SampleGenerator generator(Options(1));
  std::map<int, int> counts;
  for (const v1::Interaction& event : Events(generator, 20'000)) ++counts[event.type()];
  const google::protobuf::EnumDescriptor* types = v1::InteractionType_descriptor();
  for (int i = 0; i < types->value_count(); ++i) {
    int type = types->value(i)->number();
    if (type == v1::INTERACTION_TYPE_UNSPECIFIED) continue;
    EXPECT_GT(counts[type], 0) << types->value(i)->name();
  }
  EXPECT_EQ(counts[v1::INTERACTION_TYPE_UNSPECIFIED], 0);
}

TEST(SampleGenerator, EveryEventPassesIngestValidation) {
  SampleGenerator generator(Options(3, 500, 0.4));
  ingest::ValidationOptions validation;
  validation.now = kNow;
  for (v1::Interaction event : Events(generator, 20'000)) {
    std::vector<v1::FieldViolation> violations = ingest::ValidateAndNormalize(event, validation, "event");
    ASSERT_TRUE(violations.empty()) << event.ShortDebugString()
                                    << "\n first violation: " << violations.front().ShortDebugString();
  }
}

// What each type's detail must carry (what ingest validation requires, and what the reports
// and the profile fold read).
void ExpectDetailFitsType(const v1::Interaction& event) {
  SCOPED_TRACE(event.ShortDebugString());
  switch (event.type()) {
    case v1::INTERACTION_TYPE_CALL_INBOUND:
    case v1::INTERACTION_TYPE_CALL_OUTBOUND:
    case v1::INTERACTION_TYPE_CALL_MISSED:
    case v1::INTERACTION_TYPE_CALL_CALLBACK:
      ASSERT_TRUE(event.has_call());
      EXPECT_FALSE(event.call().queue().empty());
      EXPECT_FALSE(event.call().disposition().empty());
      EXPECT_EQ(event.channel(), v1::CHANNEL_PHONE);
      break;
    case v1::INTERACTION_TYPE_WEB_PAGE_VIEW:
    case v1::INTERACTION_TYPE_WEB_FORM_SUBMIT:
    case v1::INTERACTION_TYPE_WEB_CHAT:
    case v1::INTERACTION_TYPE_WEB_IDENTIFY:
      ASSERT_TRUE(event.has_web());
      EXPECT_TRUE(event.web().url().starts_with("https://"));
      EXPECT_FALSE(event.web().session_id().empty());
      break;
    case v1::INTERACTION_TYPE_ORDER_PLACED:
    case v1::INTERACTION_TYPE_ORDER_REFUNDED:
      ASSERT_TRUE(event.has_order());
      EXPECT_FALSE(event.order().order_id().empty());
      EXPECT_GT(event.amount().amount_minor(), 0);
      EXPECT_EQ(event.amount().currency(), "CNY");
      break;
    case v1::INTERACTION_TYPE_QUOTE_SENT:
    case v1::INTERACTION_TYPE_QUOTE_ACCEPTED:
    case v1::INTERACTION_TYPE_QUOTE_REJECTED:
      ASSERT_TRUE(event.has_quote());
      EXPECT_FALSE(event.quote().quote_id().empty());
      EXPECT_GT(event.amount().amount_minor(), 0);
      EXPECT_EQ(event.amount().currency(), "CNY");
      break;
    case v1::INTERACTION_TYPE_COMPLAINT_OPENED:
    case v1::INTERACTION_TYPE_COMPLAINT_RESOLVED:
    case v1::INTERACTION_TYPE_GRUMBLE:
    case v1::INTERACTION_TYPE_SUGGESTION:
      ASSERT_TRUE(event.has_complaint());
      EXPECT_FALSE(event.complaint().case_id().empty());
      EXPECT_FALSE(event.complaint().category().empty());
      EXPECT_EQ(event.type() == v1::INTERACTION_TYPE_COMPLAINT_RESOLVED,
                !event.complaint().resolution().empty());
      break;
    case v1::INTERACTION_TYPE_SURVEY_ANSWERED:
      ASSERT_TRUE(event.has_satisfaction());
      EXPECT_GE(event.satisfaction(), 1u);
      EXPECT_LE(event.satisfaction(), 5u);
      break;
    case v1::INTERACTION_TYPE_FOLLOW_UP:
      ASSERT_TRUE(event.has_follow_up());
      EXPECT_FALSE(event.follow_up().content().empty());
      EXPECT_FALSE(event.follow_up().customer_feedback().empty());
      EXPECT_FALSE(event.follow_up().next_step().empty());
      EXPECT_FALSE(event.follow_up().stage().empty());
      break;
    case v1::INTERACTION_TYPE_STORE_VISIT:
      ASSERT_TRUE(event.has_store_visit());
      EXPECT_TRUE(IsValidVin(event.store_visit().vin())) << event.store_visit().vin();
      EXPECT_FALSE(event.store_visit().plate().empty());
      EXPECT_FALSE(event.store_visit().car_model().empty());
      EXPECT_EQ(event.channel(), v1::CHANNEL_STORE);
      break;
    default:
      ADD_FAILURE() << "unexpected type";
  }
  if (event.type() != v1::INTERACTION_TYPE_SURVEY_ANSWERED) {
    EXPECT_FALSE(event.has_satisfaction());
  }
}

TEST(SampleGenerator, EveryEventCarriesTheDetailItsTypeNeeds) {
  SampleGenerator generator(Options(5));
  for (const v1::Interaction& event : Events(generator, 10'000)) ExpectDetailFitsType(event);
}

TEST(SampleGenerator, EventsOccurWithinTheHistoryWindowBeforeNow) {
  SampleGenerator generator(Options(5));
  int64_t now = system_clock::to_time_t(kNow);
  for (const v1::Interaction& event : Events(generator, 5000)) {
    EXPECT_LE(event.occurred_at().seconds(), now);
    EXPECT_GT(event.occurred_at().seconds(), now - 90 * 86'400);
  }
}

TEST(SampleGenerator, IdentityMixSetsTheShareOfEventsNamedOnlyByPhoneEmailOrVisitor) {
  SampleGenerator generator(Options(9, 300, 0.25));
  std::set<std::string> phones, emails;
  for (const v1::Customer& customer : generator.customers()) {
    phones.insert(customer.contact_phone());
    emails.insert(customer.email());
  }
  std::map<std::string, int> by_kind;
  const int kEvents = 20'000;
  for (const v1::Interaction& event : Events(generator, kEvents)) {
    const v1::CustomerRef& ref = event.customer();
    if (!ref.customer_id().empty()) continue;
    if (!ref.phone().empty()) {
      ++by_kind["phone"];
      EXPECT_TRUE(phones.contains(ref.phone())) << ref.phone();
    } else if (!ref.email().empty()) {
      ++by_kind["email"];
      EXPECT_TRUE(emails.contains(ref.email())) << ref.email();
    } else {
      ++by_kind["visitor"];
      EXPECT_TRUE(ref.visitor_id().starts_with("vis_")) << ref.ShortDebugString();
    }
  }
  int identity_only = by_kind["phone"] + by_kind["email"] + by_kind["visitor"];
  EXPECT_NEAR(static_cast<double>(identity_only) / kEvents, 0.25, 0.02);
  EXPECT_GT(by_kind["phone"], 0);
  EXPECT_GT(by_kind["email"], 0);
  EXPECT_GT(by_kind["visitor"], 0);
}

TEST(SampleGenerator, NoIdentityMixNamesEveryCustomerById) {
  SampleGenerator generator(Options(9));
  std::set<std::string> ids;
  for (const v1::Customer& customer : generator.customers()) ids.insert(customer.customer_id());
  for (const v1::Interaction& event : Events(generator, 5000)) {
    EXPECT_TRUE(ids.contains(event.customer().customer_id())) << event.customer().ShortDebugString();
  }
}

// "+86" and an 11-digit mobile number starting with 1.
bool IsChineseMobile(const std::string& phone) {
  if (phone.size() != 14 || !phone.starts_with("+861")) return false;
  return phone.find_first_not_of("0123456789", 1) == std::string::npos;
}

TEST(SampleGenerator, CustomersCarryCompleteRealisticMasterData) {
  SampleGenerator generator(Options(11, 2000));
  std::set<std::string> provinces, cities, districts, industries, sources, owners, teams;
  int english_names = 0;
  int with_vehicles = 0;
  for (const v1::Customer& customer : generator.customers()) {
    SCOPED_TRACE(customer.ShortDebugString());
    EXPECT_TRUE(customer.customer_id().starts_with("t-c"));
    EXPECT_FALSE(customer.name().empty());
    EXPECT_FALSE(customer.contact_person().empty());
    EXPECT_TRUE(IsChineseMobile(customer.contact_phone()));
    EXPECT_NE(customer.email().find('@'), std::string::npos);
    EXPECT_NE(customer.type(), v1::CUSTOMER_TYPE_UNSPECIFIED);
    EXPECT_FALSE(customer.follow_up_stage().empty());
    EXPECT_FALSE(customer.department().empty());
    EXPECT_TRUE(customer.has_first_contact_at());
    if (customer.name().ends_with("Co., Ltd.")) ++english_names;
    for (const v1::Vehicle& vehicle : customer.vehicles()) {
      ++with_vehicles;
      EXPECT_TRUE(IsValidVin(vehicle.vin())) << vehicle.vin();
    }
    provinces.insert(customer.region().province());
    cities.insert(customer.region().city());
    districts.insert(customer.region().district());
    industries.insert(customer.industry());
    sources.insert(customer.source());
    owners.insert(customer.owner());
    teams.insert(customer.department() + "/" + customer.team());
  }
  EXPECT_GE(cities.size(), 12u);
  EXPECT_GE(provinces.size(), 10u);
  EXPECT_GE(districts.size(), 24u);
  EXPECT_GE(industries.size(), 8u);
  EXPECT_GE(sources.size(), 6u);
  EXPECT_GE(owners.size(), 10u);
  EXPECT_GE(teams.size(), 5u);
  EXPECT_GT(english_names, 100);
  EXPECT_LT(english_names, 1000);
  EXPECT_GT(with_vehicles, 100);
}

TEST(SampleGenerator, StoreVisitsNameTheCustomersCarWithAPlateOfItsCity) {
  SampleGenerator generator(Options(13));
  std::map<std::string, const v1::Customer*> by_id;
  for (const v1::Customer& customer : generator.customers()) by_id[customer.customer_id()] = &customer;
  const std::map<std::string, std::string> kPlatePrefix = {
      {"深圳市", "粤B"}, {"广州市", "粤A"}, {"上海市", "沪A"}, {"北京市", "京N"}};
  int visits = 0;
  for (const v1::Interaction& event : Events(generator, 20'000)) {
    if (event.type() != v1::INTERACTION_TYPE_STORE_VISIT) continue;
    ++visits;
    const v1::Customer& customer = *by_id.at(event.customer().customer_id());
    const std::string& plate = event.store_visit().plate();
    auto prefix = kPlatePrefix.find(customer.region().city());
    if (prefix != kPlatePrefix.end()) {
      EXPECT_TRUE(plate.starts_with(prefix->second)) << plate;
    }
    // A province character (3 bytes of UTF-8), a city letter, then 5 characters (6 on green plates).
    EXPECT_TRUE(plate.size() == 9 || plate.size() == 10) << plate;
    if (!customer.vehicles().empty()) {
      EXPECT_EQ(event.store_visit().vin(), customer.vehicles(0).vin());
    }
  }
  EXPECT_GT(visits, 100);
}

TEST(SampleGenerator, ResolvedComplaintsAndRefundsMostlyReferToEarlierRecordsOfTheSameCustomer) {
  SampleGenerator generator(Options(17));
  std::vector<v1::Interaction> events = Events(generator, 50'000);
  std::set<std::pair<std::string, std::string>> opened, placed;
  for (const v1::Interaction& event : events) {
    if (event.type() == v1::INTERACTION_TYPE_COMPLAINT_OPENED) {
      opened.insert({event.customer().customer_id(), event.complaint().case_id()});
    }
    if (event.type() == v1::INTERACTION_TYPE_ORDER_PLACED) {
      placed.insert({event.customer().customer_id(), event.order().order_id()});
    }
  }
  int resolved = 0, resolved_known = 0, refunds = 0, refunds_known = 0;
  for (const v1::Interaction& event : events) {
    if (event.type() == v1::INTERACTION_TYPE_COMPLAINT_RESOLVED) {
      ++resolved;
      resolved_known += opened.contains({event.customer().customer_id(), event.complaint().case_id()});
    }
    if (event.type() == v1::INTERACTION_TYPE_ORDER_REFUNDED) {
      ++refunds;
      refunds_known += placed.contains({event.customer().customer_id(), event.order().order_id()});
    }
  }
  EXPECT_GT(resolved_known, resolved * 7 / 10);
  EXPECT_GT(refunds_known, refunds * 7 / 10);
}

TEST(GenerateSample, MakesTheRequestedCountsNamingCustomersByIdWithTheRunPrefix) {
  SampleData data = GenerateSample("demo1", 42, 30, 300);
  ASSERT_EQ(data.customers.size(), 30u);
  ASSERT_EQ(data.events.size(), 300u);
  EXPECT_EQ(data.customers[0].customer_id(), "demo1-c0");
  EXPECT_EQ(data.events[299].event_id(), "demo1-e299");
  for (const v1::Interaction& event : data.events) {
    EXPECT_TRUE(event.customer().customer_id().starts_with("demo1-c")) << event.ShortDebugString();
  }
}

TEST(GenerateSample, MakesNoEventsWithoutCustomers) {
  EXPECT_TRUE(GenerateSample("demo1", 42, 0, 300).events.empty());
}

}  // namespace
}  // namespace custflow::sample
