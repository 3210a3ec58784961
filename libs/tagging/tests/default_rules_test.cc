// The default rule set (data/rules/default.yaml) as a specification: for every rule and
// score, tables of profiles just below, at and just above each threshold, with missing
// values, and in the first-match order of each tag key. A change of the file that moves a
// threshold or reorders a decision table fails here, next to the case it changes.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "custflow/tagging/rule_file.h"
#include "custflow/tagging/rule_set.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::tagging {
namespace {

constexpr int64_t kSecond = 1;
constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;
// 2026-11-15T00:00:00Z, in the fourth quarter of 2026.
constexpr int64_t kNow = 1'794'700'800;
constexpr int kNowYear = 2026;
constexpr int kNowQuarter = 4;

// "2026-Q4" for the current quarter, "2026-Q3" one back, "2025-Q4" four back.
std::string QuarterKey(int quarters_back) {
  int index = kNowYear * 4 + (kNowQuarter - 1) - quarters_back;
  return std::to_string(index / 4) + "-Q" + std::to_string(index % 4 + 1);
}

int64_t Minor(double yuan) { return std::llround(yuan * 100); }

google::protobuf::Timestamp Ago(int64_t seconds) {
  google::protobuf::Timestamp time;
  time.set_seconds(kNow - seconds);
  return time;
}

// Builds the profile of one case; times are given as how long before kNow.
class ProfileBuilder {
 public:
  ProfileBuilder& Type(v1::CustomerType type) {
    profile_.mutable_customer()->set_type(type);
    return *this;
  }
  ProfileBuilder& Industry(std::string_view industry) {
    profile_.mutable_customer()->set_industry(std::string(industry));
    return *this;
  }
  ProfileBuilder& Size(std::string_view size) {
    profile_.mutable_customer()->set_enterprise_size(std::string(size));
    return *this;
  }
  ProfileBuilder& Ownership(std::string_view enterprise_type) {
    profile_.mutable_customer()->set_enterprise_type(std::string(enterprise_type));
    return *this;
  }
  ProfileBuilder& Province(std::string_view province) {
    profile_.mutable_customer()->mutable_region()->set_province(std::string(province));
    return *this;
  }
  ProfileBuilder& Custom(const std::string& name, const std::string& value) {
    (*profile_.mutable_customer()->mutable_custom_fields())[name] = value;
    return *this;
  }
  ProfileBuilder& FirstContact(int64_t ago) {
    *profile_.mutable_customer()->mutable_first_contact_at() = Ago(ago);
    return *this;
  }
  ProfileBuilder& LastInteraction(int64_t ago) {
    *profile_.mutable_last_interaction_at() = Ago(ago);
    return *this;
  }
  ProfileBuilder& FollowUps(uint64_t count) {
    profile_.set_follow_up_count(count);
    return *this;
  }
  ProfileBuilder& LastFollowUp(int64_t ago) {
    *profile_.mutable_last_follow_up_at() = Ago(ago);
    return *this;
  }
  ProfileBuilder& Orders(uint64_t count) {
    profile_.set_order_count(count);
    return *this;
  }
  ProfileBuilder& LastOrder(int64_t ago) {
    *profile_.mutable_last_order_at() = Ago(ago);
    return *this;
  }
  ProfileBuilder& NoLastOrder() {
    profile_.clear_last_order_at();
    return *this;
  }
  ProfileBuilder& Cumulative(double yuan) {
    profile_.mutable_cumulative_amount()->set_amount_minor(Minor(yuan));
    profile_.mutable_cumulative_amount()->set_currency("CNY");
    return *this;
  }
  ProfileBuilder& QuarterOrders(int quarters_back, uint64_t count) {
    (*profile_.mutable_orders_by_quarter())[QuarterKey(quarters_back)] = count;
    return *this;
  }
  ProfileBuilder& QuarterAmount(int quarters_back, double yuan) {
    (*profile_.mutable_amount_by_quarter())[QuarterKey(quarters_back)] = Minor(yuan);
    return *this;
  }
  // Amounts of the last 4 quarters and of the 4 before them (one quarter each).
  ProfileBuilder& YearAmounts(double last_year, double year_before) {
    return QuarterAmount(1, last_year).QuarterAmount(5, year_before);
  }
  ProfileBuilder& Responses(uint64_t count, int64_t total_seconds) {
    profile_.set_response_count(count);
    profile_.set_response_seconds_sum(static_cast<uint64_t>(total_seconds));
    return *this;
  }
  ProfileBuilder& AwaitingResponse(int64_t ago) {
    *profile_.mutable_awaiting_response_since() = Ago(ago);
    return *this;
  }
  // Rejected quotes, oldest first as the profile keeps them.
  ProfileBuilder& Rejections(std::initializer_list<int64_t> agos) {
    for (int64_t ago : agos) *profile_.add_recent_quote_rejections() = Ago(ago);
    return *this;
  }
  ProfileBuilder& QuotesSent(uint64_t count) {
    profile_.set_quotes_sent(count);
    return *this;
  }
  ProfileBuilder& Interactions(const std::string& type, uint64_t count) {
    (*profile_.mutable_interaction_counts())["INTERACTION_TYPE_" + type] = count;
    return *this;
  }
  ProfileBuilder& Refunds(uint64_t count) { return Interactions("ORDER_REFUNDED", count); }
  ProfileBuilder& Complaints(uint64_t opened, uint64_t resolved) {
    profile_.set_complaint_count(opened);
    profile_.set_complaint_resolved_count(resolved);
    return *this;
  }

  const v1::Profile& profile() const { return profile_; }

 private:
  v1::Profile profile_;
};

// No data at all.
ProfileBuilder Customer() { return ProfileBuilder(); }
// A potential customer that has not ordered.
ProfileBuilder Lead() { return ProfileBuilder().Type(v1::CUSTOMER_TYPE_POTENTIAL); }
// A closed customer (a large state-owned firm: credit A unless a case adds refunds or
// complaints) with one order 10 days ago; the per-quarter figures are left to each case.
ProfileBuilder Buyer() {
  return ProfileBuilder()
      .Type(v1::CUSTOMER_TYPE_CLOSED)
      .Ownership("state-owned")
      .Size("large")
      .Orders(1)
      .LastOrder(10 * kDay);
}

RuleSet LoadDefaultRules() {
  RuleFileResult result = ParseRuleFile(DefaultRuleFileText(), "default.yaml");
  if (!result.rules) {
    ADD_FAILURE() << FormatErrors(result.errors);
    return RuleSet("invalid", {}, {});
  }
  return std::move(*result.rules);
}

const RuleSet& DefaultRules() {
  static const RuleSet rules = LoadDefaultRules();
  return rules;
}

// The tag of `key` in `evaluation`, or empty; the rule behind it in `rule`.
std::string TagOfKey(const Evaluation& evaluation, std::string_view key, std::string* rule = nullptr) {
  std::string prefix = std::string(key) + ":";
  for (size_t i = 0; i < evaluation.tags.size(); ++i) {
    if (evaluation.tags[i].starts_with(prefix)) {
      if (rule != nullptr) *rule = std::string(evaluation.rules[i]);
      return std::string(evaluation.tags[i]);
    }
  }
  return "";
}

std::string TestName(std::string text) {
  for (char& c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return text;
}

// ---- tags of each key ----

struct TagRow {
  std::string name;
  ProfileBuilder profile;
  std::string value;  // expected value of the key; empty when the customer has no tag of it
  // For score keys: the expected score, to show the case sits exactly at a boundary.
  std::optional<double> score = std::nullopt;
};

struct TagCase {
  std::string key;
  TagRow row;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const TagCase& test, std::ostream* out) { *out << test.key << " " << test.row.name; }

void AddRows(std::vector<TagCase>& cases, const std::string& key, std::vector<TagRow> rows) {
  for (TagRow& row : rows) cases.push_back({.key = key, .row = std::move(row)});
}

void AddScoreCases(std::vector<TagCase>& cases) {
  // Credit: ownership 15, size 15, refunded share 40, open complaints 30; A >= 85,
  // B >= 70, C >= 50. Ten orders make the refunded share one refund per 0.1.
  auto credit = [](std::string_view ownership, std::string_view size, uint64_t refunds, uint64_t open) {
    return Buyer().Orders(10).Ownership(ownership).Size(size).Refunds(refunds).Complaints(open, 0);
  };
  AddRows(cases, "credit",
          {
              {"AllBest", credit("state-owned", "large", 0, 0), "A", 100},
              {"At85IsA", credit("state-owned", "medium", 0, 1), "A", 85},
              {"At84IsB", credit("state-owned", "large", 1, 0), "B", 84},
              {"At70IsB", credit("state-owned", "SME", 0, 3), "B", 70},
              {"At69IsC", credit("state-owned", "medium", 1, 1), "C", 69},
              {"At50IsC", credit("state-owned", "SME", 3, 1), "C", 50},
              {"At49_5IsD", credit("private", "SME", 1, 3), "D", 49.5},
              // Without orders the refunded share is missing and left out; unknown type and
              // size score 50 and 40.
              {"LeadWithoutOrdersIsGradedOnTheRest", Lead().Ownership("state-owned").Size("micro"), "A", 85},
              {"NoDataScoresUnknownTypeAndSizeLow", Customer(), "B", 72.5},
              {"NoDataWithThreeOpenComplaintsIsD", Customer().Complaints(3, 0), "D", 32.5},
          });

  // Customer grade of buyers: credit 20, sales 30, margin 15, growth 15, contribution 20;
  // A >= 80, B >= 60, C >= 40.
  AddRows(
      cases, "grade",
      {
          {"BuyerAt80IsA",
           Buyer().Cumulative(300000).YearAmounts(100000, 120000).Custom("profit_margin", "0.3"), "A", 80},
          {"BuyerAt79_75IsB",
           Buyer().Cumulative(2000000).YearAmounts(500000, 600000).Custom("profit_margin", "0.05"), "B",
           79.75},
          {"BuyerAt60IsB", Buyer().Cumulative(40000).YearAmounts(20000, 30000).Custom("profit_margin", "0.3"),
           "B", 60},
          // Credit B (one refund in ten orders).
          {"BuyerAt59_75IsC",
           Buyer()
               .Orders(10)
               .Refunds(1)
               .Cumulative(1000000)
               .YearAmounts(10000, 12000)
               .Custom("profit_margin", "0.05"),
           "C", 59.75},
          // Margin missing: left out of the weights.
          {"BuyerAt40IsC", Buyer().Cumulative(5000).YearAmounts(1000, 4000), "C", 40},
          // Credit C (a small private firm, one refund in ten orders, one open complaint).
          {"BuyerAt39_75IsD",
           Buyer()
               .Ownership("individual")
               .Size("micro")
               .Orders(10)
               .Refunds(1)
               .Complaints(1, 0)
               .Cumulative(5000)
               .YearAmounts(3000, 2000)
               .Custom("profit_margin", "0.05"),
           "D", 39.75},
          // Growth needs the year before: without it only credit, sales and contribution count.
          {"NewBuyerIsGradedWithoutGrowthAndMargin", Buyer().Cumulative(1000000).QuarterAmount(0, 1000000),
           "A", 100},
          // Potential grade of leads: type 15, size 20, assets 10, revenue 10, growth 10,
          // demand 35; same grade bands.
          {"LeadAt80IsA",
           Lead().Ownership("state-owned").Size("SME").Custom("assets", "1000000").QuotesSent(4), "A", 80},
          {"LeadAt79_72IsB",
           Lead()
               .Ownership("private")
               .Size("medium")
               .Custom("assets", "100000000")
               .Custom("revenue", "100000000")
               .QuotesSent(2),
           "B", 7175.0 / 90},
          {"LeadAt60IsB",
           Lead()
               .Ownership("private")
               .Size("medium")
               .Custom("assets", "10000000")
               .Custom("revenue", "9999999")
               .Interactions("INBOUND_CALL", 3),
           "B", 60},
          {"LeadAt59_75IsC",
           Lead()
               .Ownership("state-owned")
               .Size("medium")
               .Custom("assets", "10000000")
               .Custom("revenue", "10000000")
               .Custom("growth", "0.05")
               .Interactions("INBOUND_CALL", 2),
           "C", 59.75},
          {"LeadAt40_5IsC",
           Lead()
               .Ownership("individual")
               .Size("micro")
               .Custom("assets", "1")
               .Custom("revenue", "1")
               .Custom("growth", "0.01")
               .Interactions("INBOUND_CALL", 3),
           "C", 40.5},
          {"LeadAt39_75IsD",
           Lead()
               .Ownership("individual")
               .Size("SME")
               .Custom("assets", "10000000")
               .Custom("revenue", "1")
               .Custom("growth", "0.01"),
           "D", 39.75},
          // Only demand is known for a bare lead.
          {"BareLeadIsD", Lead(), "D", 25},
          // The grade follows order_count, not the customer type.
          {"ClosedWithoutOrdersGetsThePotentialGrade",
           Customer().Type(v1::CUSTOMER_TYPE_CLOSED).Ownership("state-owned").QuotesSent(4), "A", 100},
      });

  AddRows(cases, "rfm-r",
          {
              {"Ordered30DaysAgoIs5", Buyer().LastOrder(30 * kDay), "5", 100},
              {"Ordered30DaysAnd1SecondAgoIs4", Buyer().LastOrder(30 * kDay + kSecond), "4", 75},
              {"Ordered90DaysAgoIs4", Buyer().LastOrder(90 * kDay), "4"},
              {"Ordered90DaysAnd1SecondAgoIs3", Buyer().LastOrder(90 * kDay + kSecond), "3"},
              {"Ordered180DaysAgoIs3", Buyer().LastOrder(180 * kDay), "3"},
              {"Ordered180DaysAnd1SecondAgoIs2", Buyer().LastOrder(180 * kDay + kSecond), "2"},
              {"Ordered365DaysAgoIs2", Buyer().LastOrder(365 * kDay), "2"},
              {"Ordered365DaysAnd1SecondAgoIs1", Buyer().LastOrder(365 * kDay + kSecond), "1", 0},
              {"NoLastOrderTimeHasNone", Buyer().NoLastOrder(), ""},
              {"LeadHasNone", Lead().LastOrder(kDay), ""},
          });
  AddRows(cases, "rfm-f",
          {
              {"TwelveOrdersIs5", Buyer().QuarterOrders(0, 3).QuarterOrders(1, 3).QuarterOrders(3, 6), "5"},
              {"ElevenOrdersIs4", Buyer().QuarterOrders(1, 11), "4"},
              {"SixOrdersIs4", Buyer().QuarterOrders(1, 6), "4"},
              {"FiveOrdersIs3", Buyer().QuarterOrders(1, 5), "3"},
              {"ThreeOrdersIs3", Buyer().QuarterOrders(1, 3), "3"},
              {"TwoOrdersIs2", Buyer().QuarterOrders(1, 2), "2"},
              {"OneOrderIs1", Buyer().QuarterOrders(0, 1), "1"},
              {"OrdersBeforeTheLast4QuartersDoNotCount", Buyer().Orders(20).QuarterOrders(4, 20), "1"},
              {"LeadHasNone", Lead().QuarterOrders(0, 12), ""},
          });
  AddRows(cases, "rfm-m",
          {
              {"At500000Is5", Buyer().QuarterAmount(2, 500000), "5"},
              {"Below500000Is4", Buyer().QuarterAmount(2, 499999.99), "4"},
              {"At100000Is4", Buyer().QuarterAmount(2, 100000), "4"},
              {"Below100000Is3", Buyer().QuarterAmount(2, 99999.99), "3"},
              {"At50000Is3", Buyer().QuarterAmount(2, 50000), "3"},
              {"Below50000Is2", Buyer().QuarterAmount(2, 49999.99), "2"},
              {"At10000Is2", Buyer().QuarterAmount(2, 10000), "2"},
              {"Below10000Is1", Buyer().QuarterAmount(2, 9999.99), "1"},
              {"SumsTheLast4Quarters", Buyer().QuarterAmount(0, 250000).QuarterAmount(3, 250000), "5"},
              {"AmountsBeforeTheLast4QuartersDoNotCount", Buyer().QuarterAmount(4, 500000), "1"},
              {"RefundsAboveOrdersIs1", Buyer().QuarterAmount(1, -100), "1"},
              {"LeadHasNone", Lead(), ""},
          });
}

void AddAttributeCases(std::vector<TagCase>& cases) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> industries = {
      {"manufacturing", {"制造业", "汽车", "化工", "能源", "建筑"}},
      {"technology", {"信息技术", "互联网", "通信"}},
      {"finance", {"金融", "银行", "保险", "房地产"}},
      {"trade", {"零售", "批发", "物流", "餐饮", "酒店旅游"}},
  };
  for (const auto& [value, words] : industries) {
    for (size_t i = 0; i < words.size(); ++i) {
      AddRows(cases, "industry",
              {{value + "Word" + std::to_string(i + 1), Customer().Industry(words[i]), value}});
    }
  }
  AddRows(cases, "industry",
          {
              {"OtherIndustryIsServices", Customer().Industry("教育"), "services"},
              {"MissingIndustryHasNone", Customer(), ""},
          });

  AddRows(cases, "size",
          {
              {"LargeIsLarge", Customer().Size("large"), "large"},
              {"MediumIsSme", Customer().Size("medium"), "sme"},
              {"SmallIsSme", Customer().Size("small"), "sme"},
              {"MicroIsSme", Customer().Size("micro"), "sme"},
              {"SMEIsSme", Customer().Size("SME"), "sme"},
              {"UnknownSizeHasNone", Customer().Size("huge"), ""},
              {"MissingSizeHasNone", Customer(), ""},
          });

  const std::vector<std::pair<std::string, std::vector<std::string>>> regions = {
      {"east", {"上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "台湾省"}},
      {"north", {"北京市", "天津市", "河北省", "山西省", "内蒙古自治区"}},
      {"central", {"河南省", "湖北省", "湖南省"}},
      {"south", {"广东省", "广西壮族自治区", "海南省", "香港特别行政区", "澳门特别行政区"}},
      {"southwest", {"重庆市", "四川省", "贵州省", "云南省", "西藏自治区"}},
      {"northwest", {"陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区"}},
      {"northeast", {"辽宁省", "吉林省", "黑龙江省"}},
  };
  for (const auto& [value, provinces] : regions) {
    for (size_t i = 0; i < provinces.size(); ++i) {
      AddRows(cases, "region",
              {{value + "Province" + std::to_string(i + 1), Customer().Province(provinces[i]), value}});
    }
  }
  AddRows(cases, "region",
          {
              // Provinces arrive normalized to their full names.
              {"ShortProvinceNameHasNone", Customer().Province("上海"), ""},
              {"MissingProvinceHasNone", Customer(), ""},
          });
}

void AddBehaviourCases(std::vector<TagCase>& cases) {
  AddRows(cases, "follow-up",
          {
              {"SixIsHigh", Customer().FollowUps(6), "high"},
              {"FiveIsHigh", Customer().FollowUps(5), "high"},
              {"FourIsMedium", Customer().FollowUps(4), "medium"},
              {"ThreeIsMedium", Customer().FollowUps(3), "medium"},
              {"TwoIsLow", Customer().FollowUps(2), "low"},
              {"OneIsLow", Customer().FollowUps(1), "low"},
              {"NoneIsLow", Customer(), "low"},
          });

  AddRows(cases, "response",
          {
              {"AverageBelow24HoursIsFast", Customer().Responses(1, 24 * kHour - kSecond), "fast"},
              {"Average24HoursIsFast", Customer().Responses(3, 3 * 24 * kHour), "fast"},
              {"AverageAbove24HoursIsNeither", Customer().Responses(2, 48 * kHour + kSecond), ""},
              {"Average72HoursIsNeither", Customer().Responses(1, 72 * kHour), ""},
              {"AverageAbove72HoursIsSlow", Customer().Responses(1, 72 * kHour + kSecond), "slow"},
              {"NoAnswerYetIsNeither", Customer(), ""},
              {"Waiting72HoursIsNotSlow", Customer().AwaitingResponse(72 * kHour), ""},
              {"WaitingAbove72HoursIsSlow", Customer().AwaitingResponse(72 * kHour + kSecond), "slow"},
              {"FastOnAverageStaysFastWhileWaiting72Hours",
               Customer().Responses(4, 4 * kHour).AwaitingResponse(72 * kHour), "fast"},
              {"SlowWinsOverFastWhenWaitingAbove72Hours",
               Customer().Responses(4, 4 * kHour).AwaitingResponse(72 * kHour + kSecond), "slow"},
          });

  AddRows(
      cases, "price",
      {
          {"NoRejectionHasNone", Customer(), ""},
          {"OneRejectionHasNone", Customer().Rejections({kHour}), ""},
          {"TwoRejections3DaysApartIsSensitive", Customer().Rejections({4 * kDay, kDay}), "sensitive"},
          {"TwoRejectionsMoreThan3DaysApartHasNone", Customer().Rejections({4 * kDay + kSecond, kDay}), ""},
          {"TwoCloseRejectionsAmongOthersIsSensitive",
           Customer().Rejections({40 * kDay, 20 * kDay, 10 * kDay, 9 * kDay, kDay}), "sensitive"},
          {"RejectionsSpreadOutHaveNone", Customer().Rejections({40 * kDay, 30 * kDay, 20 * kDay, 10 * kDay}),
           ""},
          // The close pair may lie anywhere among the last 10 rejections, as long as two
          // rejections fall in the last 180 days.
          {"OldCloseRejectionsExpire", Customer().Rejections({400 * kDay, 399 * kDay}), ""},
          {"OldCloseRejectionsWithTwoRecentOnesCount",
           Customer().Rejections({400 * kDay, 399 * kDay, 100 * kDay, 10 * kDay}), "sensitive"},
          {"OneRecentRejectionIsNotEnough",
           Customer().Rejections({400 * kDay, 399 * kDay, 180 * kDay + kSecond, 10 * kDay}), ""},
      });
}

void AddValueCases(std::vector<TagCase>& cases) {
  AddRows(cases, "value",
          {
              {"At100000OrderedWithin90DaysIsHigh", Buyer().Cumulative(100000).LastOrder(90 * kDay), "high"},
              {"Above100000IsHigh", Buyer().Cumulative(100000.01), "high"},
              {"Below100000IsMedium", Buyer().Cumulative(99999.99), "medium"},
              {"HighWithoutAnOrderFor90DaysDropsToMedium",
               Buyer().Cumulative(100000).LastOrder(90 * kDay + kSecond), "medium"},
              {"HighWithoutALastOrderTimeIsMedium", Buyer().Cumulative(200000).NoLastOrder(), "medium"},
              {"At50000IsMedium", Buyer().Cumulative(50000), "medium"},
              {"Below50000IsLow", Buyer().Cumulative(49999.99), "low"},
              {"OrderedWithoutAmountIsLow", Buyer(), "low"},
              {"RefundedBelowZeroIsLow", Buyer().Cumulative(-10), "low"},
              {"NeverOrderedHasNone", Lead(), ""},
          });
  AddRows(
      cases, "value-trend",
      {
          {"HighWithoutAnOrderFor90DaysIsDowngraded",
           Buyer().Cumulative(100000).LastOrder(90 * kDay + kSecond), "downgraded"},
          {"HighOrderedWithin90DaysHasNone", Buyer().Cumulative(100000).LastOrder(90 * kDay), ""},
          {"MediumWithoutAnOrderFor90DaysHasNone", Buyer().Cumulative(99999.99).LastOrder(200 * kDay), ""},
          {"HighWithoutALastOrderTimeHasNone", Buyer().Cumulative(200000).NoLastOrder(), ""},
      });

  AddRows(
      cases, "repurchase",
      {
          {"ThreePerQuarterIsHigh",
           Buyer().QuarterOrders(0, 3).QuarterOrders(1, 3).QuarterOrders(2, 3).QuarterOrders(3, 3), "high"},
          {"ThirteenInFourQuartersIsHigh", Buyer().QuarterOrders(1, 13), "high"},
          {"ElevenInFourQuartersIsMedium", Buyer().QuarterOrders(1, 11), "medium"},
          {"FiveInFourQuartersIsMedium", Buyer().QuarterOrders(1, 5), "medium"},
          {"FourInFourQuartersIsLow", Buyer().QuarterOrders(1, 4), "low"},
          {"NoneInFourQuartersIsLow", Buyer(), "low"},
          {"OrdersBeforeTheLast4QuartersDoNotCount", Buyer().Orders(30).QuarterOrders(4, 30), "low"},
          // The current quarter counts as a whole one: three a quarter, with the current
          // quarter half gone, averages below 3.
          {"CurrentQuarterHalfGoneIsMedium",
           Buyer().QuarterOrders(0, 2).QuarterOrders(1, 3).QuarterOrders(2, 3).QuarterOrders(3, 3), "medium"},
          {"NeverOrderedHasNone", Lead(), ""},
      });

  AddRows(cases, "strategic",
          {
              {"At1000000IsStrategic", Buyer().QuarterAmount(3, 1000000), "yes"},
              {"SumsTheLast4Quarters", Buyer().QuarterAmount(0, 400000).QuarterAmount(3, 600000), "yes"},
              {"Below1000000HasNone", Buyer().QuarterAmount(3, 999999.99), ""},
              {"RefundsCountAgainst", Buyer().QuarterAmount(0, 1000000).QuarterAmount(1, -0.01), ""},
              {"AmountsBeforeTheLast4QuartersDoNotCount",
               Buyer().Cumulative(5000000).QuarterAmount(4, 5000000), ""},
          });
}

void AddLifecycleCases(std::vector<TagCase>& cases) {
  // Qualifies as loyal: 3 orders, 2 of them in the last 4 quarters, the last 180 days ago.
  auto loyal = [] { return Buyer().Orders(3).QuarterOrders(2, 2).LastOrder(180 * kDay); };
  AddRows(cases, "lifecycle",
          {
              {"MarkedLostIsLostEvenWhenLoyal", loyal().Type(v1::CUSTOMER_TYPE_LOST), "lost"},
              {"MarkedLostWithoutOrdersIsLost", Customer().Type(v1::CUSTOMER_TYPE_LOST), "lost"},
              {"LastOrder365DaysAgoIsMarginal", Buyer().LastOrder(365 * kDay), "marginal"},
              {"NoOrderForMoreThan365DaysIsLost", Buyer().Orders(5).LastOrder(365 * kDay + kSecond), "lost"},
              {"LeadSilentForMoreThan365DaysIsLost", Lead().LastInteraction(365 * kDay + kSecond), "lost"},
              {"LeadSilentFor365DaysIsPotential", Lead().LastInteraction(365 * kDay), "potential"},
              {"LeadWithoutInteractionsIsLostAYearAfterFirstContact",
               Lead().FirstContact(365 * kDay + kSecond), "lost"},
              {"LeadsLastInteractionWinsOverFirstContact",
               Lead().FirstContact(700 * kDay).LastInteraction(10 * kDay), "potential"},
              {"LeadWithoutAnyTimeIsPotential", Lead(), "potential"},
              {"LoyalAtAllThresholds", loyal(), "loyal"},
              {"LoyalWithMoreOfEach", Buyer().Orders(10).QuarterOrders(0, 4).LastOrder(kDay), "loyal"},
              {"TwoOrdersIsMarginal", loyal().Orders(2), "marginal"},
              {"OneOrderInTheLast4QuartersIsMarginal", loyal().QuarterOrders(2, 1), "marginal"},
              {"LastOrderAbove180DaysIsMarginal", loyal().LastOrder(180 * kDay + kSecond), "marginal"},
              {"BuyerWithoutALastOrderTimeIsMarginal", loyal().NoLastOrder(), "marginal"},
              {"ClosedWithoutOrdersIsPotential", Customer().Type(v1::CUSTOMER_TYPE_CLOSED), "potential"},
              {"OneRecentOrderIsMarginal", Buyer(), "marginal"},
          });
}

void AddAttentionCases(std::vector<TagCase>& cases) {
  // Leads graded A (state-owned, large, demand 20), B (73.9) and C (demand 3 only).
  auto lead_a = [] { return Lead().Ownership("state-owned").Size("large").QuotesSent(4); };
  auto lead_b = [] { return Lead().Ownership("private").Size("medium").QuotesSent(2); };
  auto lead_c = [] { return Lead().Interactions("INBOUND_CALL", 3); };
  AddRows(
      cases, "attention",
      {
          {"GradeAWithoutFollowUpForMoreThan30Days", lead_a().LastFollowUp(30 * kDay + kSecond),
           "idle-high-potential"},
          {"GradeAFollowedUp30DaysAgoHasNone", lead_a().LastFollowUp(30 * kDay), ""},
          {"GradeBWithoutFollowUpForMoreThan30Days", lead_b().LastFollowUp(31 * kDay), "idle-high-potential"},
          {"GradeCHasNone", lead_c().LastFollowUp(31 * kDay), ""},
          {"NeverFollowedUpCountsFromFirstContact", lead_a().FirstContact(30 * kDay + kSecond),
           "idle-high-potential"},
          {"NeverFollowedUpFirstContact30DaysAgoHasNone", lead_a().FirstContact(30 * kDay), ""},
          {"RecentFollowUpWinsOverOldFirstContact", lead_a().FirstContact(100 * kDay).LastFollowUp(kDay), ""},
          {"WithoutAnyTimeHasNone", lead_a(), ""},
          {"ClosedCustomerHasNone", lead_a().Type(v1::CUSTOMER_TYPE_CLOSED).LastFollowUp(31 * kDay), ""},
      });
}

std::vector<TagCase> AllTagCases() {
  std::vector<TagCase> cases;
  AddScoreCases(cases);
  AddAttributeCases(cases);
  AddBehaviourCases(cases);
  AddValueCases(cases);
  AddLifecycleCases(cases);
  AddAttentionCases(cases);
  return cases;
}

class DefaultRuleTagTest : public testing::TestWithParam<TagCase> {};

TEST_P(DefaultRuleTagTest, GivesTheExpectedTagOfItsKey) {
  const TagCase& test = GetParam();
  const v1::Profile& profile = test.row.profile.profile();
  Evaluation evaluation = DefaultRules().Evaluate(profile, kNow);
  std::string expected = test.row.value.empty() ? "" : test.key + ":" + test.row.value;
  EXPECT_EQ(TagOfKey(evaluation, test.key), expected) << profile.DebugString();
  if (!test.row.score) return;
  v1::ExplainResponse explained = DefaultRules().Explain(profile, kNow);
  bool found = false;
  for (const v1::ScoreResult& score : explained.scores()) {
    if (score.tag() != expected) continue;
    found = true;
    EXPECT_NEAR(score.score(), *test.row.score, 1e-9) << score.DebugString();
  }
  EXPECT_TRUE(found) << "no score gave " << expected;
}

INSTANTIATE_TEST_SUITE_P(DefaultRules, DefaultRuleTagTest, testing::ValuesIn(AllTagCases()),
                         [](const testing::TestParamInfo<TagCase>& param) {
                           return TestName(param.param.key + "_" + param.param.row.name);
                         });

// ---- indicator bands of the scores ----

struct IndicatorRow {
  std::string name;
  ProfileBuilder profile;
  std::optional<double> points;  // nullopt: the value is missing and left out of the weights
};

struct IndicatorCase {
  std::string score_id;
  std::string indicator;
  IndicatorRow row;
};

void PrintTo(const IndicatorCase& test, std::ostream* out) {
  *out << test.score_id << " '" << test.indicator << "' " << test.row.name;
}

void AddIndicatorRows(std::vector<IndicatorCase>& cases, const std::string& score_id,
                      const std::string& indicator, std::vector<IndicatorRow> rows) {
  for (IndicatorRow& row : rows) {
    cases.push_back({.score_id = score_id, .indicator = indicator, .row = std::move(row)});
  }
}

void AddCreditIndicatorCases(std::vector<IndicatorCase>& cases) {
  AddIndicatorRows(cases, "credit-grade", "ownership",
                   {
                       {"StateOwned", Customer().Ownership("state-owned"), 100},
                       {"Government", Customer().Ownership("government"), 100},
                       {"PublicInstitution", Customer().Ownership("public-institution"), 100},
                       {"Foreign", Customer().Ownership("foreign"), 80},
                       {"JointVenture", Customer().Ownership("joint-venture"), 80},
                       {"Collective", Customer().Ownership("collective"), 80},
                       {"Private", Customer().Ownership("private"), 70},
                       {"SocialOrganization", Customer().Ownership("social-organization"), 70},
                       {"Other", Customer().Ownership("individual"), 50},
                       {"Missing", Customer(), 50},
                   });
  AddIndicatorRows(cases, "credit-grade", "size",
                   {
                       {"Large", Customer().Size("large"), 100},
                       {"Medium", Customer().Size("medium"), 80},
                       {"SME", Customer().Size("SME"), 60},
                       {"Small", Customer().Size("small"), 60},
                       {"Other", Customer().Size("micro"), 40},
                       {"Missing", Customer(), 40},
                   });
  AddIndicatorRows(cases, "credit-grade", "refunded share of orders",
                   {
                       {"None", Buyer().Orders(100), 100},
                       {"At0_05", Buyer().Orders(100).Refunds(5), 100},
                       {"Above0_05", Buyer().Orders(100).Refunds(6), 60},
                       {"At0_2", Buyer().Orders(100).Refunds(20), 60},
                       {"Above0_2", Buyer().Orders(100).Refunds(21), 20},
                       {"WithoutOrdersMissing", Lead().Refunds(1), std::nullopt},
                   });
  AddIndicatorRows(cases, "credit-grade", "open complaints",
                   {
                       {"None", Customer(), 100},
                       {"AllResolved", Customer().Complaints(4, 4), 100},
                       {"One", Customer().Complaints(1, 0), 60},
                       {"Two", Customer().Complaints(5, 3), 60},
                       {"Three", Customer().Complaints(3, 0), 20},
                   });
}

void AddCustomerGradeIndicatorCases(std::vector<IndicatorCase>& cases) {
  AddIndicatorRows(
      cases, "customer-grade", "credit status",
      {
          {"CreditA", Buyer(), 100},
          {"CreditB", Buyer().Orders(10).Refunds(1), 75},
          {"CreditC", Buyer().Ownership("individual").Size("micro").Orders(10).Refunds(1).Complaints(1, 0),
           50},
          {"CreditD", Buyer().Orders(10).Refunds(3).Complaints(3, 0), 20},
      });
  AddIndicatorRows(cases, "customer-grade", "cumulative sales",
                   {
                       {"At1000000", Buyer().Cumulative(1000000), 100},
                       {"Below1000000", Buyer().Cumulative(999999.99), 80},
                       {"At100000", Buyer().Cumulative(100000), 80},
                       {"Below100000", Buyer().Cumulative(99999.99), 60},
                       {"At50000", Buyer().Cumulative(50000), 60},
                       {"Below50000", Buyer().Cumulative(49999.99), 40},
                       {"At10000", Buyer().Cumulative(10000), 40},
                       {"Below10000", Buyer().Cumulative(9999.99), 20},
                       {"Zero", Buyer(), 20},
                   });
  AddIndicatorRows(cases, "customer-grade", "profit margin",
                   {
                       {"At0_3", Buyer().Custom("profit_margin", "0.3"), 100},
                       {"Below0_3", Buyer().Custom("profit_margin", "0.29"), 75},
                       {"At0_2", Buyer().Custom("profit_margin", "0.2"), 75},
                       {"Below0_2", Buyer().Custom("profit_margin", "0.19"), 50},
                       {"At0_1", Buyer().Custom("profit_margin", "0.1"), 50},
                       {"Below0_1", Buyer().Custom("profit_margin", "0.09"), 25},
                       {"Negative", Buyer().Custom("profit_margin", "-0.1"), 25},
                       {"Missing", Buyer(), std::nullopt},
                       {"NotANumber", Buyer().Custom("profit_margin", "25%"), std::nullopt},
                   });
  AddIndicatorRows(
      cases, "customer-grade", "growth (last 4 quarters over the 4 before)",
      {
          {"At1_2", Buyer().YearAmounts(120000, 100000), 100},
          {"Below1_2", Buyer().YearAmounts(119999, 100000), 70},
          {"At1_0", Buyer().YearAmounts(100000, 100000), 70},
          {"Below1_0", Buyer().YearAmounts(99999, 100000), 40},
          {"At0_8", Buyer().YearAmounts(80000, 100000), 40},
          {"Below0_8", Buyer().YearAmounts(79999, 100000), 20},
          {"NothingLastYear", Buyer().YearAmounts(0, 100000), 20},
          {"NoYearBeforeMissing", Buyer().YearAmounts(100000, 0), std::nullopt},
          {"QuarterAtTheEndOfTheYearBeforeCounts", Buyer().QuarterAmount(3, 100).QuarterAmount(4, 100), 70},
          {"QuarterAfterTheYearBeforeIsNotCounted", Buyer().QuarterAmount(3, 100).QuarterAmount(8, 100),
           std::nullopt},
      });
  AddIndicatorRows(cases, "customer-grade", "contribution (last 4 quarters)",
                   {
                       {"At500000", Buyer().QuarterAmount(1, 500000), 100},
                       {"Below500000", Buyer().QuarterAmount(1, 499999.99), 75},
                       {"At100000", Buyer().QuarterAmount(1, 100000), 75},
                       {"Below100000", Buyer().QuarterAmount(1, 99999.99), 50},
                       {"At20000", Buyer().QuarterAmount(1, 20000), 50},
                       {"Below20000", Buyer().QuarterAmount(1, 19999.99), 25},
                       {"None", Buyer(), 25},
                   });
}

void AddPotentialGradeIndicatorCases(std::vector<IndicatorCase>& cases) {
  AddIndicatorRows(cases, "potential-grade", "company type",
                   {
                       {"StateOwned", Lead().Ownership("state-owned"), 100},
                       {"Foreign", Lead().Ownership("foreign"), 100},
                       {"JointVenture", Lead().Ownership("joint-venture"), 100},
                       {"Government", Lead().Ownership("government"), 100},
                       {"PublicInstitution", Lead().Ownership("public-institution"), 100},
                       {"Private", Lead().Ownership("private"), 70},
                       {"Collective", Lead().Ownership("collective"), 70},
                       {"Other", Lead().Ownership("social-organization"), 40},
                       {"Missing", Lead(), std::nullopt},
                   });
  AddIndicatorRows(cases, "potential-grade", "size",
                   {
                       {"Large", Lead().Size("large"), 100},
                       {"Medium", Lead().Size("medium"), 75},
                       {"SME", Lead().Size("SME"), 50},
                       {"Small", Lead().Size("small"), 50},
                       {"Other", Lead().Size("micro"), 25},
                       {"Missing", Lead(), std::nullopt},
                   });
  for (const std::string field : {"assets", "revenue"}) {
    AddIndicatorRows(cases, "potential-grade", field,
                     {
                         {"At100000000", Lead().Custom(field, "100000000"), 100},
                         {"Below100000000", Lead().Custom(field, "99999999.99"), 70},
                         {"At10000000", Lead().Custom(field, "10000000"), 70},
                         {"Below10000000", Lead().Custom(field, "9999999.99"), 40},
                         {"Missing", Lead(), std::nullopt},
                         {"NotANumber", Lead().Custom(field, "1亿"), std::nullopt},
                     });
  }
  AddIndicatorRows(cases, "potential-grade", "growth",
                   {
                       {"At0_2", Lead().Custom("growth", "0.2"), 100},
                       {"Below0_2", Lead().Custom("growth", "0.19"), 70},
                       {"At0_05", Lead().Custom("growth", "0.05"), 70},
                       {"Below0_05", Lead().Custom("growth", "0.04"), 40},
                       {"Missing", Lead(), std::nullopt},
                   });
  AddIndicatorRows(cases, "potential-grade", "demand (interactions and quotes)",
                   {
                       {"At20", Lead().Interactions("INBOUND_CALL", 20), 100},
                       {"FourQuotesAre20", Lead().QuotesSent(4), 100},
                       {"At19", Lead().Interactions("INBOUND_CALL", 4).QuotesSent(3), 75},
                       {"At10", Lead().Interactions("WEB_FORM", 10), 75},
                       {"At9", Lead().Interactions("WEB_FORM", 9), 50},
                       {"At3", Lead().Interactions("WEB_FORM", 2).Interactions("INBOUND_CALL", 1), 50},
                       {"At2", Lead().Interactions("WEB_FORM", 2), 25},
                       {"None", Lead(), 25},
                   });
}

std::vector<IndicatorCase> AllIndicatorCases() {
  std::vector<IndicatorCase> cases;
  AddCreditIndicatorCases(cases);
  AddCustomerGradeIndicatorCases(cases);
  AddPotentialGradeIndicatorCases(cases);
  return cases;
}

class DefaultScoreIndicatorTest : public testing::TestWithParam<IndicatorCase> {};

TEST_P(DefaultScoreIndicatorTest, GivesTheBandsPointsOrIsLeftOut) {
  const IndicatorCase& test = GetParam();
  v1::ExplainResponse explained = DefaultRules().Explain(test.row.profile.profile(), kNow);
  const v1::IndicatorResult* result = nullptr;
  double weight = 0;
  for (const v1::ScoreResult& score : explained.scores()) {
    if (score.score_id() != test.score_id) continue;
    for (const v1::IndicatorResult& indicator : score.indicators()) {
      if (indicator.name() == test.indicator) result = &indicator;
    }
  }
  for (const ScoreDef& score : DefaultRules().scores()) {
    if (score.id != test.score_id) continue;
    for (const IndicatorDef& indicator : score.indicators) {
      if (indicator.name == test.indicator) weight = indicator.weight;
    }
  }
  ASSERT_NE(result, nullptr) << "no indicator '" << test.indicator << "' in " << explained.DebugString();
  ASSERT_GT(weight, 0);
  if (test.row.points) {
    EXPECT_EQ(result->points(), *test.row.points) << result->DebugString();
    EXPECT_EQ(result->weight(), weight) << result->DebugString();
  } else {
    EXPECT_EQ(result->value(), "missing") << result->DebugString();
    EXPECT_EQ(result->weight(), 0) << result->DebugString();
  }
}

INSTANTIATE_TEST_SUITE_P(DefaultRules, DefaultScoreIndicatorTest, testing::ValuesIn(AllIndicatorCases()),
                         [](const testing::TestParamInfo<IndicatorCase>& param) {
                           return TestName(param.param.score_id + "_" + param.param.indicator + "_" +
                                           param.param.row.name);
                         });

// ---- the file as a whole ----

TEST(DefaultRules, LoadWithoutErrors) {
  RuleFileResult result = ParseRuleFile(DefaultRuleFileText(), "default.yaml");
  EXPECT_TRUE(result.errors.empty()) << FormatErrors(result.errors);
  ASSERT_TRUE(result.rules);
  EXPECT_FALSE(result.rules->version().empty());
  EXPECT_FALSE(result.rules->scores().empty());
  EXPECT_FALSE(result.rules->rules().empty());
}

TEST(DefaultRules, ProfileGradeIsTheCustomerGradeForBuyersAndThePotentialGradeForLeads) {
  struct GradeRow {
    std::string name;
    ProfileBuilder profile;
    std::string grade;
    std::string rule;  // behind the grade tag
  };
  const std::vector<GradeRow> rows = {
      // Credit A, yet a C customer: the grade is never the credit grade.
      {"NewBuyer", Buyer().Cumulative(100), "C", "customer-grade@1"},
      {"LargeBuyer", Buyer().Cumulative(1000000).QuarterAmount(0, 1000000), "A", "customer-grade@1"},
      {"BareLead", Lead(), "D", "potential-grade@1"},
      {"KeenLead", Lead().Ownership("state-owned").Size("large").QuotesSent(4), "A", "potential-grade@1"},
  };
  for (const GradeRow& row : rows) {
    SCOPED_TRACE(row.name);
    Evaluation evaluation = DefaultRules().Evaluate(row.profile.profile(), kNow);
    std::string rule;
    EXPECT_EQ(TagOfKey(evaluation, "grade", &rule), "grade:" + row.grade);
    EXPECT_EQ(rule, row.rule);
    EXPECT_EQ(evaluation.grade, row.grade);
    EXPECT_FALSE(TagOfKey(evaluation, "credit").empty());
  }
}

// Every rule and score of the file is the one behind the expected tag of some case.
TEST(DefaultRules, EveryRuleAndScoreHasATagCase) {
  std::set<std::string> covered;
  for (const TagCase& test : AllTagCases()) {
    if (test.row.value.empty()) continue;
    Evaluation evaluation = DefaultRules().Evaluate(test.row.profile.profile(), kNow);
    std::string rule;
    if (TagOfKey(evaluation, test.key, &rule) != test.key + ":" + test.row.value) continue;
    covered.insert(rule.substr(0, rule.find('@')));
  }
  size_t ids = 0;
  for (const ScoreDef& score : DefaultRules().scores()) {
    ++ids;
    EXPECT_TRUE(covered.contains(score.id)) << "no case gets a tag from score " << score.id;
  }
  for (const TagRuleDef& rule : DefaultRules().rules()) {
    ++ids;
    EXPECT_TRUE(covered.contains(rule.id)) << "no case gets a tag from rule " << rule.id;
  }
  EXPECT_EQ(covered.size(), ids);
}

}  // namespace
}  // namespace custflow::tagging
