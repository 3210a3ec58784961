// Specification of event validation: one case per rule with its exact text, the
// normalizations, and a valid example for every interaction type (the examples of
// docs/EVENTS.md).
#include "services/ingest/event_validation.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <string_view>

namespace custflow::ingest {
namespace {

using namespace std::chrono_literals;

// 2026-11-23T10:00:00Z; the examples happened three days earlier.
const std::chrono::system_clock::time_point kNow{std::chrono::seconds(1'795'428'000)};

ValidationOptions Pinned() {
  ValidationOptions options;
  options.now = kNow;
  return options;
}

struct Example {
  v1::InteractionType type;
  v1::Channel default_channel;
  std::string_view json;
};

const Example kExamples[] = {
    {v1::INTERACTION_TYPE_CALL_INBOUND, v1::CHANNEL_PHONE,
     R"({"eventId": "cc-20261120-0001", "customer": {"phone": "+86 138-0013-8000"},
         "type": "INTERACTION_TYPE_CALL_INBOUND", "occurredAt": "2026-11-20T09:30:00Z",
         "agent": "a1024", "department": "客服中心", "team": "售后一组",
         "durationSeconds": 312, "waitSeconds": 45, "sourceSystem": "callcenter",
         "call": {"queue": "after-sales", "disposition": "resolved"}})"},
    {v1::INTERACTION_TYPE_CALL_OUTBOUND, v1::CHANNEL_PHONE,
     R"({"eventId": "cc-20261120-0002", "customer": {"customerId": "cu_0f3a9c2e71d4b865"},
         "type": "INTERACTION_TYPE_CALL_OUTBOUND", "occurredAt": "2026-11-20T10:05:00Z",
         "agent": "a1024", "durationSeconds": 95,
         "call": {"queue": "renewals", "disposition": "callback-requested"}})"},
    {v1::INTERACTION_TYPE_CALL_MISSED, v1::CHANNEL_PHONE,
     R"({"eventId": "cc-20261120-0003", "customer": {"phone": "010 6552 9988"},
         "type": "INTERACTION_TYPE_CALL_MISSED", "occurredAt": "2026-11-20T12:41:07Z",
         "waitSeconds": 60, "call": {"queue": "sales"}})"},
    {v1::INTERACTION_TYPE_CALL_CALLBACK, v1::CHANNEL_PHONE,
     R"({"eventId": "cc-20261120-0004", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_CALL_CALLBACK", "occurredAt": "2026-11-20T13:00:00Z",
         "agent": "a1024", "durationSeconds": 180, "call": {"disposition": "resolved"}})"},
    {v1::INTERACTION_TYPE_WEB_PAGE_VIEW, v1::CHANNEL_WEB,
     R"({"eventId": "web-8f1e2a", "customer": {"visitorId": "v-7f2c91"},
         "type": "INTERACTION_TYPE_WEB_PAGE_VIEW", "occurredAt": "2026-11-20T09:30:00.250Z",
         "web": {"url": "https://shop.example.cn/cars/aurora-7",
                 "referrer": "https://www.baidu.com/", "sessionId": "s-5521"}})"},
    {v1::INTERACTION_TYPE_WEB_FORM_SUBMIT, v1::CHANNEL_WEB,
     R"({"eventId": "web-8f1e2b", "customer": {"visitorId": "v-7f2c91", "email": "Li.Na@Example.CN"},
         "type": "INTERACTION_TYPE_WEB_FORM_SUBMIT", "occurredAt": "2026-11-20T09:34:10Z",
         "attributes": {"form": "test-drive", "city": "北京"},
         "web": {"url": "https://shop.example.cn/test-drive", "sessionId": "s-5521"}})"},
    {v1::INTERACTION_TYPE_WEB_CHAT, v1::CHANNEL_CHAT,
     R"({"eventId": "chat-30017", "customer": {"loginId": "lina88"},
         "type": "INTERACTION_TYPE_WEB_CHAT", "occurredAt": "2026-11-20T09:40:00Z",
         "agent": "a2001", "durationSeconds": 240, "waitSeconds": 12,
         "web": {"url": "https://shop.example.cn/cars/aurora-7", "sessionId": "s-5521"}})"},
    {v1::INTERACTION_TYPE_WEB_IDENTIFY, v1::CHANNEL_WEB,
     R"({"eventId": "web-8f1e2c", "customer": {"visitorId": "v-7f2c91", "loginId": "lina88"},
         "type": "INTERACTION_TYPE_WEB_IDENTIFY", "occurredAt": "2026-11-20T09:36:00Z",
         "web": {"sessionId": "s-5521"}})"},
    {v1::INTERACTION_TYPE_ORDER_PLACED, v1::CHANNEL_WEB,
     R"({"eventId": "order-SO-88121-placed", "customer": {"customerId": "cu_0f3a9c2e71d4b865"},
         "type": "INTERACTION_TYPE_ORDER_PLACED", "occurredAt": "2026-11-20T15:00:00Z",
         "amount": {"amountMinor": "25990000", "currency": "CNY"},
         "order": {"orderId": "SO-88121", "product": "Aurora 7"}})"},
    {v1::INTERACTION_TYPE_ORDER_REFUNDED, v1::CHANNEL_WEB,
     R"({"eventId": "order-SO-88121-refund-1", "customer": {"customerId": "cu_0f3a9c2e71d4b865"},
         "type": "INTERACTION_TYPE_ORDER_REFUNDED", "occurredAt": "2026-11-21T08:00:00Z",
         "amount": {"amountMinor": "50000", "currency": "cny"}, "order": {"orderId": "SO-88121"}})"},
    {v1::INTERACTION_TYPE_QUOTE_SENT, v1::CHANNEL_SALES,
     R"({"eventId": "quote-Q-311-sent", "customer": {"phone": "+8613800138000"},
         "type": "INTERACTION_TYPE_QUOTE_SENT", "occurredAt": "2026-11-19T11:00:00Z", "agent": "s207",
         "amount": {"amountMinor": "27990000", "currency": "CNY"},
         "quote": {"quoteId": "Q-311", "product": "Aurora 7 Long Range"}})"},
    {v1::INTERACTION_TYPE_QUOTE_ACCEPTED, v1::CHANNEL_SALES,
     R"({"eventId": "quote-Q-311-accepted", "customer": {"phone": "+8613800138000"},
         "type": "INTERACTION_TYPE_QUOTE_ACCEPTED", "occurredAt": "2026-11-20T14:00:00Z", "agent": "s207",
         "amount": {"amountMinor": "27990000", "currency": "CNY"}, "quote": {"quoteId": "Q-311"}})"},
    {v1::INTERACTION_TYPE_QUOTE_REJECTED, v1::CHANNEL_SALES,
     R"({"eventId": "quote-Q-312-rejected", "customer": {"email": "wang.wei@example.com"},
         "type": "INTERACTION_TYPE_QUOTE_REJECTED", "occurredAt": "2026-11-20T16:30:00Z",
         "amount": {"amountMinor": "4500000", "currency": "USD"}, "quote": {"quoteId": "Q-312"},
         "attributes": {"reason": "price"}})"},
    {v1::INTERACTION_TYPE_COMPLAINT_OPENED, v1::CHANNEL_PHONE,
     R"({"eventId": "case-C-1001-opened", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_COMPLAINT_OPENED", "occurredAt": "2026-11-18T10:00:00Z", "agent": "a1024",
         "complaint": {"caseId": "C-1001", "category": "delivery", "product": "Aurora 7"}})"},
    {v1::INTERACTION_TYPE_COMPLAINT_RESOLVED, v1::CHANNEL_PHONE,
     R"({"eventId": "case-C-1001-resolved", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_COMPLAINT_RESOLVED", "occurredAt": "2026-11-20T10:00:00Z",
         "durationSeconds": 172800, "satisfaction": 4,
         "complaint": {"caseId": "C-1001", "resolution": "delivery fee refunded"}})"},
    {v1::INTERACTION_TYPE_GRUMBLE, v1::CHANNEL_PHONE,
     R"({"eventId": "cc-20261120-0107", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_GRUMBLE", "occurredAt": "2026-11-20T11:20:00Z",
         "complaint": {"category": "waiting time"}})"},
    {v1::INTERACTION_TYPE_SUGGESTION, v1::CHANNEL_PHONE,
     R"({"eventId": "cc-20261120-0108", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_SUGGESTION", "occurredAt": "2026-11-20T11:25:00Z",
         "complaint": {"category": "app", "product": "owner app"},
         "attributes": {"text": "希望App支持预约保养"}})"},
    {v1::INTERACTION_TYPE_SURVEY_ANSWERED, v1::CHANNEL_PHONE,
     R"({"eventId": "ivr-survey-77120", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_SURVEY_ANSWERED", "occurredAt": "2026-11-20T09:36:00Z",
         "satisfaction": 5, "agent": "a1024"})"},
    {v1::INTERACTION_TYPE_FOLLOW_UP, v1::CHANNEL_SALES,
     R"({"eventId": "fu-s207-20261120-3", "customer": {"customerId": "cu_0f3a9c2e71d4b865"},
         "type": "INTERACTION_TYPE_FOLLOW_UP", "occurredAt": "2026-11-20T17:00:00Z",
         "agent": "s207", "department": "销售部", "team": "北京一店",
         "followUp": {"content": "介绍了长续航版的配置和价格", "customerFeedback": "对续航满意，担心充电",
                      "nextStep": "周六到店试驾", "stage": "需求确认"}})"},
    {v1::INTERACTION_TYPE_STORE_VISIT, v1::CHANNEL_STORE,
     R"({"eventId": "store-bj01-20261120-12", "customer": {"phone": "13800138000"},
         "type": "INTERACTION_TYPE_STORE_VISIT", "occurredAt": "2026-11-20T10:15:00Z",
         "durationSeconds": 5400, "agent": "s207",
         "storeVisit": {"carModel": "Aurora 7", "vin": "lrwyga7k5pc123456", "plate": "京A·12345",
                        "purpose": "maintenance"}})"},
};

v1::Interaction ExampleOf(v1::InteractionType type) {
  v1::Interaction event;
  for (const Example& example : kExamples) {
    if (example.type != type) continue;
    auto parsed = google::protobuf::util::JsonStringToMessage(example.json, &event);
    EXPECT_TRUE(parsed.ok()) << parsed.ToString();
    return event;
  }
  ADD_FAILURE() << "no example of " << v1::InteractionType_Name(type);
  return event;
}

std::string Describe(const std::vector<v1::FieldViolation>& violations) {
  std::string text;
  for (const v1::FieldViolation& v : violations) text += "\n  " + v.field() + ": " + v.description();
  return text;
}

google::protobuf::Timestamp At(std::chrono::system_clock::time_point time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(std::chrono::floor<std::chrono::seconds>(time.time_since_epoch()).count());
  return timestamp;
}

TEST(ValidateEvent, EveryInteractionTypeHasAValidExampleAndADefaultChannel) {
  const google::protobuf::EnumDescriptor& types = *v1::InteractionType_descriptor();
  for (int i = 0; i < types.value_count(); ++i) {
    auto type = static_cast<v1::InteractionType>(types.value(i)->number());
    if (type == v1::INTERACTION_TYPE_UNSPECIFIED) continue;
    SCOPED_TRACE(types.value(i)->name());
    const Example* example = nullptr;
    for (const Example& candidate : kExamples) {
      if (candidate.type == type) example = &candidate;
    }
    ASSERT_NE(example, nullptr) << "a new type needs an example here, rules in event_validation.cc and a "
                                   "section in docs/EVENTS.md";
    v1::Interaction event = ExampleOf(type);
    std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), "event");
    EXPECT_TRUE(violations.empty()) << Describe(violations);
    EXPECT_EQ(event.channel(), example->default_channel);
  }
}

struct RuleCase {
  std::string name;
  v1::InteractionType start_from;
  std::function<void(v1::Interaction&)> change;
  std::string field;  // empty: the event as a whole
  std::string description;
};

class RuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleTest, NamesTheFieldAndTheReasonWithAndWithoutAPathPrefix) {
  for (const std::string& path : {std::string("events[2]"), std::string()}) {
    SCOPED_TRACE("path \"" + path + "\"");
    v1::Interaction event = ExampleOf(GetParam().start_from);
    GetParam().change(event);
    std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), path);
    ASSERT_EQ(violations.size(), 1u) << Describe(violations);
    std::string field = GetParam().field;
    if (!path.empty()) field = field.empty() ? path : path + "." + field;
    EXPECT_EQ(violations[0].field(), field);
    EXPECT_EQ(violations[0].description(), GetParam().description);
  }
}

constexpr auto kCall = v1::INTERACTION_TYPE_CALL_INBOUND;
constexpr auto kOrder = v1::INTERACTION_TYPE_ORDER_PLACED;

INSTANTIATE_TEST_SUITE_P(
    Rules, RuleTest,
    ::testing::Values(
        RuleCase{"EventIdMissing", kCall, [](auto& e) { e.clear_event_id(); }, "event_id", "is required"},
        RuleCase{"EventIdTooLong", kCall, [](auto& e) { e.set_event_id(std::string(129, 'x')); }, "event_id",
                 "is longer than 128 bytes"},
        RuleCase{"EventIdWithSpace", kCall, [](auto& e) { e.set_event_id("ev 1"); }, "event_id",
                 "must be printable ASCII without spaces"},
        RuleCase{"EventIdNotAscii", kCall, [](auto& e) { e.set_event_id("事件-1"); }, "event_id",
                 "must be printable ASCII without spaces"},
        RuleCase{"CustomerMissing", kCall, [](auto& e) { e.clear_customer(); }, "customer",
                 "needs a customer_id, phone, email, login_id or visitor_id"},
        RuleCase{"CustomerOnlyBlank", kCall, [](auto& e) { e.mutable_customer()->set_phone(" "); }, "customer",
                 "needs a customer_id, phone, email, login_id or visitor_id"},
        RuleCase{"CustomerIdTooLong", kCall,
                 [](auto& e) { e.mutable_customer()->set_customer_id(std::string(129, 'c')); },
                 "customer.customer_id", "is longer than 128 bytes"},
        RuleCase{"LoginIdTooLong", kCall, [](auto& e) { e.mutable_customer()->set_login_id(std::string(129, 'l')); },
                 "customer.login_id", "is longer than 128 bytes"},
        RuleCase{"VisitorIdTooLong", kCall,
                 [](auto& e) { e.mutable_customer()->set_visitor_id(std::string(129, 'v')); },
                 "customer.visitor_id", "is longer than 128 bytes"},
        RuleCase{"PhoneInvalid", kCall, [](auto& e) { e.mutable_customer()->set_phone("12345"); }, "customer.phone",
                 "is not a valid number for country code +86"},
        RuleCase{"EmailInvalid", kCall, [](auto& e) { e.mutable_customer()->set_email("li.na@"); }, "customer.email",
                 "is not a valid e-mail address"},
        RuleCase{"TypeMissing", kCall, [](auto& e) { e.clear_type(); }, "type", "is required"},
        RuleCase{"TypeUnknown", kCall, [](auto& e) { e.set_type(static_cast<v1::InteractionType>(99)); }, "type",
                 "is not a known interaction type: 99"},
        RuleCase{"ChannelUnknown", kCall, [](auto& e) { e.set_channel(static_cast<v1::Channel>(42)); }, "channel",
                 "is not a known channel: 42"},
        RuleCase{"OccurredAtMissing", kCall, [](auto& e) { e.clear_occurred_at(); }, "occurred_at", "is required"},
        RuleCase{"OccurredAtNanosNegative", kCall, [](auto& e) { e.mutable_occurred_at()->set_nanos(-1); },
                 "occurred_at.nanos", "must be between 0 and 999999999"},
        RuleCase{"OccurredAtTooFarAhead", kCall, [](auto& e) { *e.mutable_occurred_at() = At(kNow + 11min); },
                 "occurred_at", "is more than 10 minutes in the future"},
        RuleCase{"OccurredAtTooOld", kCall, [](auto& e) { *e.mutable_occurred_at() = At(kNow - 366 * 24h); },
                 "occurred_at", "is more than 365 days in the past"},
        RuleCase{"OccurredAtAtTheEndOfTime", kCall,
                 [](auto& e) { e.mutable_occurred_at()->set_seconds(std::numeric_limits<int64_t>::max()); },
                 "occurred_at", "is more than 10 minutes in the future"},
        RuleCase{"OccurredAtAtTheBeginningOfTime", kCall,
                 [](auto& e) { e.mutable_occurred_at()->set_seconds(std::numeric_limits<int64_t>::min()); },
                 "occurred_at", "is more than 365 days in the past"},
        RuleCase{"OrderWithoutAmount", kOrder, [](auto& e) { e.clear_amount(); }, "amount",
                 "is required for INTERACTION_TYPE_ORDER_PLACED"},
        RuleCase{"RefundWithoutAmount", v1::INTERACTION_TYPE_ORDER_REFUNDED, [](auto& e) { e.clear_amount(); },
                 "amount", "is required for INTERACTION_TYPE_ORDER_REFUNDED"},
        RuleCase{"QuoteWithoutAmount", v1::INTERACTION_TYPE_QUOTE_REJECTED, [](auto& e) { e.clear_amount(); },
                 "amount", "is required for INTERACTION_TYPE_QUOTE_REJECTED"},
        RuleCase{"AmountNegative", kOrder, [](auto& e) { e.mutable_amount()->set_amount_minor(-1); },
                 "amount.amount_minor", "must not be negative"},
        RuleCase{"CurrencyMissing", kOrder, [](auto& e) { e.mutable_amount()->clear_currency(); },
                 "amount.currency", "is required"},
        RuleCase{"CurrencyUnknown", kOrder, [](auto& e) { e.mutable_amount()->set_currency("RMB"); },
                 "amount.currency", "is not a known ISO 4217 currency code"},
        RuleCase{"AmountOnAnyTypeIsChecked", kCall, [](auto& e) { e.mutable_amount()->set_currency("XYZ"); },
                 "amount.currency", "is not a known ISO 4217 currency code"},
        RuleCase{"SatisfactionTooHigh", kCall, [](auto& e) { e.set_satisfaction(6); }, "satisfaction",
                 "must be between 1 and 5"},
        RuleCase{"SatisfactionZero", kCall, [](auto& e) { e.set_satisfaction(0); }, "satisfaction",
                 "must be between 1 and 5"},
        RuleCase{"SurveyWithoutSatisfaction", v1::INTERACTION_TYPE_SURVEY_ANSWERED,
                 [](auto& e) { e.clear_satisfaction(); }, "satisfaction",
                 "is required for INTERACTION_TYPE_SURVEY_ANSWERED"},
        RuleCase{"FollowUpWithBlankContent", v1::INTERACTION_TYPE_FOLLOW_UP,
                 [](auto& e) { e.mutable_follow_up()->set_content(" \n"); }, "follow_up.content",
                 "is required for INTERACTION_TYPE_FOLLOW_UP"},
        RuleCase{"FollowUpWithoutDetail", v1::INTERACTION_TYPE_FOLLOW_UP, [](auto& e) { e.clear_detail(); },
                 "follow_up.content", "is required for INTERACTION_TYPE_FOLLOW_UP"},
        RuleCase{"ComplaintOpenedWithoutCategory", v1::INTERACTION_TYPE_COMPLAINT_OPENED,
                 [](auto& e) { e.mutable_complaint()->clear_category(); }, "complaint.category",
                 "is required for INTERACTION_TYPE_COMPLAINT_OPENED"},
        RuleCase{"ComplaintResolvedWithoutCaseId", v1::INTERACTION_TYPE_COMPLAINT_RESOLVED,
                 [](auto& e) { e.mutable_complaint()->clear_case_id(); }, "complaint.case_id",
                 "is required for INTERACTION_TYPE_COMPLAINT_RESOLVED"},
        RuleCase{"StoreVisitWithoutVinOrPlate", v1::INTERACTION_TYPE_STORE_VISIT,
                 [](auto& e) {
                   e.mutable_store_visit()->clear_vin();
                   e.mutable_store_visit()->set_plate(" ");
                 },
                 "store_visit", "needs a vin or a plate"},
        RuleCase{"StoreVisitVinWithLetterO", v1::INTERACTION_TYPE_STORE_VISIT,
                 [](auto& e) { e.mutable_store_visit()->set_vin("LRWYGA7K5PO123456"); }, "store_visit.vin",
                 "must be 17 letters and digits without I, O or Q"},
        RuleCase{"StoreVisitVinTooShort", v1::INTERACTION_TYPE_STORE_VISIT,
                 [](auto& e) { e.mutable_store_visit()->set_vin("LRWYGA7K5P"); }, "store_visit.vin",
                 "must be 17 letters and digits without I, O or Q"},
        RuleCase{"CallLongerThanADay", kCall, [](auto& e) { e.set_duration_seconds(86'401); }, "duration_seconds",
                 "must be at most 86400 (24 hours)"},
        RuleCase{"CallWaitLongerThanADay", kCall, [](auto& e) { e.set_wait_seconds(86'401); }, "wait_seconds",
                 "must be at most 86400 (24 hours)"},
        RuleCase{"OrderWithCallDetail", kOrder, [](auto& e) { e.mutable_call()->set_queue("sales"); }, "detail",
                 "must be order for INTERACTION_TYPE_ORDER_PLACED, got call"},
        RuleCase{"SurveyWithDetail", v1::INTERACTION_TYPE_SURVEY_ANSWERED,
                 [](auto& e) { e.mutable_call()->set_queue("sales"); }, "detail",
                 "must be empty for INTERACTION_TYPE_SURVEY_ANSWERED, got call"},
        RuleCase{"StringNotUtf8", kCall, [](auto& e) { e.set_agent("a\xC3\x28"); }, "agent", "is not valid UTF-8"},
        RuleCase{"StringTooLong", kCall, [](auto& e) { e.set_agent(std::string(4097, 'a')); }, "agent",
                 "is longer than 4096 bytes"},
        RuleCase{"TooManyAttributes", kCall,
                 [](auto& e) {
                   for (int i = 0; i < 65; ++i) (*e.mutable_attributes())["k" + std::to_string(i)] = "v";
                 },
                 "attributes", "has 65 entries; the limit is 64"},
        RuleCase{"AttributeKeyNotUtf8", kCall, [](auto& e) { (*e.mutable_attributes())["\xFF"] = "v"; },
                 "attributes", "has a key that is not valid UTF-8"},
        RuleCase{"AttributeValueNotUtf8", kCall, [](auto& e) { (*e.mutable_attributes())["来源"] = "\xED\xA0\x80"; },
                 "attributes[\"来源\"]", "is not valid UTF-8"},
        RuleCase{"AttributeValueTooLong", kCall,
                 [](auto& e) { (*e.mutable_attributes())["note"] = std::string(4097, 'n'); }, "attributes[\"note\"]",
                 "is longer than 4096 bytes"}),
    [](const auto& test) { return test.param.name; });

TEST(ValidateEvent, RejectsAnEventLargerThanTheLimitNamingTheEventItself) {
  v1::Interaction event = ExampleOf(kCall);
  for (int i = 0; i < 17; ++i)
    (*event.mutable_attributes())["k" + std::to_string(i)] = std::string(4000, 'x');
  v1::Interaction normalized = event;
  ValidationOptions options = Pinned();
  options.max_event_bytes = 1 << 30;
  ASSERT_TRUE(ValidateAndNormalize(normalized, options, "").empty());

  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), "events[2]");
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_EQ(violations[0].field(), "events[2]");
  EXPECT_EQ(violations[0].description(),
            "is " + std::to_string(normalized.ByteSizeLong()) + " bytes serialized; the limit is 65536");
}

TEST(ValidateEvent, ReportsEveryViolationAtOnce) {
  v1::Interaction event;
  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), "event");
  EXPECT_EQ(violations.size(), 4u) << Describe(violations);
}

TEST(ValidateEvent, ReportsAFieldOnceWithItsFirstProblem) {
  v1::Interaction event = ExampleOf(kCall);
  event.mutable_customer()->set_phone("138\xFF");
  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), "");
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_EQ(violations[0].field(), "customer.phone");
  EXPECT_EQ(violations[0].description(), "is not valid UTF-8");
}

// The fields leading from the event to one nested field.
using FieldChain = std::vector<const google::protobuf::FieldDescriptor*>;

// Every singular string field of the event, its customer, amount and details, by path.
void CollectStringFields(const google::protobuf::Descriptor& message, const std::string& prefix,
                         FieldChain& chain, std::vector<std::pair<std::string, FieldChain>>& out) {
  for (int i = 0; i < message.field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = message.field(i);
    if (field->is_repeated()) continue;
    chain.push_back(field);
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      out.emplace_back(prefix + field->name(), chain);
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      CollectStringFields(*field->message_type(), prefix + field->name() + ".", chain, out);
    }
    chain.pop_back();
  }
}

TEST(ValidateEvent, ChecksEveryStringFieldOfTheSchemaForUtf8) {
  FieldChain chain;
  std::vector<std::pair<std::string, FieldChain>> fields;
  CollectStringFields(*v1::Interaction::descriptor(), "", chain, fields);
  ASSERT_GT(fields.size(), 25u);
  for (const auto& [path, field_chain] : fields) {
    SCOPED_TRACE(path);
    v1::Interaction event = ExampleOf(kCall);
    google::protobuf::Message* message = &event;
    for (size_t i = 0; i + 1 < field_chain.size(); ++i) {
      message = message->GetReflection()->MutableMessage(message, field_chain[i]);
    }
    message->GetReflection()->SetString(message, field_chain.back(), "\xC3\x28");
    std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), "");
    auto named = std::find_if(violations.begin(), violations.end(),
                              [&](const v1::FieldViolation& v) { return v.field() == path; });
    ASSERT_NE(named, violations.end()) << Describe(violations);
    EXPECT_EQ(named->description(), "is not valid UTF-8");
  }
}

struct PhoneCase {
  std::string name;
  std::string region;
  std::string input;
  std::string e164;
};

class PhoneNormalizationTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneNormalizationTest, WritesTheNumberInE164) {
  ValidationOptions options = Pinned();
  options.default_phone_region = GetParam().region;
  for (int attempt = 0; attempt < 2; ++attempt) {  // the second one comes from the cache
    v1::Interaction event = ExampleOf(kCall);
    event.mutable_customer()->set_phone(GetParam().input);
    std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, options, "");
    EXPECT_TRUE(violations.empty()) << Describe(violations);
    EXPECT_EQ(event.customer().phone(), GetParam().e164);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Phones, PhoneNormalizationTest,
    ::testing::Values(PhoneCase{"InternationalWithDashes", "CN", "+86 138-0013-8000", "+8613800138000"},
                      PhoneCase{"MobileWithoutCountryCode", "CN", "13800138000", "+8613800138000"},
                      PhoneCase{"AlreadyE164", "CN", "+8613800138000", "+8613800138000"},
                      PhoneCase{"SurroundedBySpaces", "CN", "  13800138000\t", "+8613800138000"},
                      PhoneCase{"FullWidthDigits", "CN", "１３８００１３８０００", "+8613800138000"},
                      PhoneCase{"BeijingLandline", "CN", "010 6552 9988", "+861065529988"},
                      PhoneCase{"BeijingLandlineWithParentheses", "CN", "(010) 65529988", "+861065529988"},
                      PhoneCase{"InternationalDialPrefix", "CN", "00861065529988", "+861065529988"},
                      PhoneCase{"ExtensionDropped", "CN", "010 6552 9988 ext. 3", "+861065529988"},
                      PhoneCase{"UnitedStatesWithCountryCode", "CN", "+1 650 253 0000", "+16502530000"},
                      PhoneCase{"UnitedStatesInItsDefaultRegion", "US", "(650) 253-0000", "+16502530000"}),
    [](const auto& test) { return test.param.name; });

class PhoneRejectionTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneRejectionTest, SaysWhyTheNumberIsNotValid) {
  ValidationOptions options = Pinned();
  options.default_phone_region = GetParam().region;
  v1::Interaction event = ExampleOf(kCall);
  event.mutable_customer()->set_phone(GetParam().input);
  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, options, "events[0]");
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_EQ(violations[0].field(), "events[0].customer.phone");
  EXPECT_EQ(violations[0].description(), GetParam().e164);
}

INSTANTIATE_TEST_SUITE_P(
    Phones, PhoneRejectionTest,
    ::testing::Values(
        PhoneCase{"TooFewDigits", "CN", "12345", "is not a valid number for country code +86"},
        PhoneCase{"MobileMissingADigit", "CN", "+86 138 0013 800",
                  "is not a valid number for country code +86"},
        PhoneCase{"UsNumberWithoutCountryCodeInChina", "CN", "650 253 0000",
                  "is not a valid number for country code +86"},
        PhoneCase{"Letters", "CN", "call me", "is not a phone number"},
        PhoneCase{"UnknownCountryCode", "CN", "+999 1234 5678",
                  "has no known country calling code (default region CN)"},
        PhoneCase{"UnknownDefaultRegion", "XX", "13800138000",
                  "has no known country calling code (default region XX)"},
        PhoneCase{"OnlyACountryCodeAndADigit", "CN", "+86 1", "is too short to be a phone number"},
        PhoneCase{"TooLong", "CN", "+86 1380013800013800138000", "is too long to be a phone number"}),
    [](const auto& test) { return test.param.name; });

TEST(ValidateEvent, NormalizesEmailIdsCurrencyVinAndPlate) {
  v1::Interaction event = ExampleOf(v1::INTERACTION_TYPE_STORE_VISIT);
  event.mutable_customer()->set_email("  Li.Na@Example.CN ");
  event.mutable_customer()->set_customer_id(" cu_0f3a9c2e71d4b865 ");
  event.mutable_customer()->set_login_id("lina88 ");
  event.mutable_customer()->set_visitor_id("\tv-7f2c91");
  event.mutable_amount()->set_currency(" cny ");
  event.mutable_store_visit()->set_plate(" 京a 123-45 ");
  ASSERT_TRUE(ValidateAndNormalize(event, Pinned(), "").empty());
  EXPECT_EQ(event.customer().email(), "li.na@example.cn");
  EXPECT_EQ(event.customer().customer_id(), "cu_0f3a9c2e71d4b865");
  EXPECT_EQ(event.customer().login_id(), "lina88");
  EXPECT_EQ(event.customer().visitor_id(), "v-7f2c91");
  EXPECT_EQ(event.amount().currency(), "CNY");
  EXPECT_EQ(event.store_visit().vin(), "LRWYGA7K5PC123456");
  EXPECT_EQ(event.store_visit().plate(), "京A12345");
}

TEST(ValidateEvent, AcceptsAStoreVisitWithOnlyAPlate) {
  v1::Interaction event = ExampleOf(v1::INTERACTION_TYPE_STORE_VISIT);
  event.mutable_store_visit()->clear_vin();
  EXPECT_TRUE(ValidateAndNormalize(event, Pinned(), "").empty());
  EXPECT_EQ(event.store_visit().plate(), "京A12345");
}

class EmailRejectionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(EmailRejectionTest, RejectsAMalformedAddress) {
  v1::Interaction event = ExampleOf(kCall);
  event.mutable_customer()->set_email(GetParam());
  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, Pinned(), "");
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_EQ(violations[0].field(), "customer.email");
  EXPECT_EQ(violations[0].description(), "is not a valid e-mail address");
}

INSTANTIATE_TEST_SUITE_P(Emails, EmailRejectionTest,
                         ::testing::Values("li.na", "li.na@", "@example.cn", "li na@example.cn",
                                           "li..na@example.cn", ".li@example.cn", "li.na@example",
                                           "li@na@example.cn", "li.na@-example.cn", "li.na@example..cn",
                                           "li<na>@example.cn"));

TEST(ValidateEvent, AcceptsInternationalizedEmailAddresses) {
  v1::Interaction event = ExampleOf(kCall);
  event.mutable_customer()->set_email("李娜@例子.中国");
  EXPECT_TRUE(ValidateAndNormalize(event, Pinned(), "").empty());
}

TEST(ValidateEvent, KeepsTheChannelTheSenderGave) {
  v1::Interaction event = ExampleOf(v1::INTERACTION_TYPE_COMPLAINT_OPENED);
  event.set_channel(v1::CHANNEL_WEB);
  ASSERT_TRUE(ValidateAndNormalize(event, Pinned(), "").empty());
  EXPECT_EQ(event.channel(), v1::CHANNEL_WEB);
}

struct TimeCase {
  std::string name;
  std::chrono::system_clock::time_point occurred_at;
  std::chrono::hours max_age;
  std::chrono::minutes max_future;
  std::string description;  // empty: accepted
};

class OccurredAtTest : public ::testing::TestWithParam<TimeCase> {};

TEST_P(OccurredAtTest, AppliesTheConfiguredWindow) {
  ValidationOptions options = Pinned();
  options.max_age = GetParam().max_age;
  options.max_future = GetParam().max_future;
  v1::Interaction event = ExampleOf(kCall);
  *event.mutable_occurred_at() = At(GetParam().occurred_at);
  std::vector<v1::FieldViolation> violations = ValidateAndNormalize(event, options, "");
  if (GetParam().description.empty()) {
    EXPECT_TRUE(violations.empty()) << Describe(violations);
    return;
  }
  ASSERT_EQ(violations.size(), 1u) << Describe(violations);
  EXPECT_EQ(violations[0].field(), "occurred_at");
  EXPECT_EQ(violations[0].description(), GetParam().description);
}

INSTANTIATE_TEST_SUITE_P(
    Times, OccurredAtTest,
    ::testing::Values(
        TimeCase{"ExactlyAtTheFutureLimit", kNow + 10min, 24h, 10min, ""},
        TimeCase{"JustPastTheFutureLimit", kNow + 10min + 1s, 24h, 10min,
                 "is more than 10 minutes in the future"},
        TimeCase{"ExactlyAtTheAgeLimit", kNow - 24h, 24h, 10min, ""},
        TimeCase{"JustPastTheAgeLimit", kNow - 24h - 1s, 24h, 10min, "is more than 1 day in the past"},
        TimeCase{"OlderThanAnHour", kNow - 2h, 1h, 10min, "is more than 1 hour in the past"},
        TimeCase{"OlderThanThirtySixHours", kNow - 37h, 36h, 10min, "is more than 36 hours in the past"},
        TimeCase{"AheadOfAStrictClock", kNow + 3min, 24h, 2min, "is more than 2 minutes in the future"},
        TimeCase{"FarBeforeTheEpoch", std::chrono::system_clock::time_point(-1'000'000'000s), 24h, 10min,
                 "is more than 1 day in the past"}),
    [](const auto& test) { return test.param.name; });

}  // namespace
}  // namespace custflow::ingest
