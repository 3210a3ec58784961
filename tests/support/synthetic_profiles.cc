#include "tests/support/synthetic_profiles.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <stdexcept>
#include <string_view>

#include "custflow/domain/profile_fold.h"
#include "custflow/domain/vocabulary.h"

namespace custflow::testing {
namespace {

constexpr int64_t kHour = 3600;
constexpr int64_t kDay = 24 * kHour;

}  // namespace

// splitmix64: small, fast and good enough to spread synthetic data.
class SyntheticProfileGenerator::Random {
 public:
  explicit Random(uint64_t state) : state_(state) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  bool Chance(double probability) { return Uniform() < probability; }
  int64_t Between(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(Next() % static_cast<uint64_t>(high - low + 1));
  }
  // Spread evenly over orders of magnitude, as amounts and durations are.
  double LogUniform(double low, double high) { return low * std::pow(high / low, Uniform()); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Next() % items.size()];
  }

 private:
  uint64_t state_;
};

namespace {

void SetTime(google::protobuf::Timestamp* timestamp, int64_t seconds) { timestamp->set_seconds(seconds); }

void Count(v1::Profile& profile, v1::InteractionType type, uint64_t count) {
  if (count > 0) (*profile.mutable_interaction_counts())[v1::InteractionType_Name(type)] = count;
}

std::string Decimal(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

const std::vector<std::string> kSources = {"exhibition", "web", "referral", "call-in", "advertising"};
const std::vector<std::string> kDepartments = {"华东销售部", "华南销售部", "华北销售部", "大客户部",
                                               "渠道部"};
const std::vector<std::string> kStages = {"初次接触", "需求确认", "方案报价", "商务谈判", "成交", "售后"};
const std::vector<std::string> kCarModels = {"凯美瑞", "雅阁", "帕萨特", "Model 3", "汉EV"};
// Tags a profile may carry from an older rule set, so the first evaluation also removes some.
const std::vector<std::string> kStaleTags = {
    "value:high",          "value:low",       "follow-up:low", "follow-up:high", "region:east", "credit:B",
    "lifecycle:potential", "lifecycle:loyal", "grade:C",       "response:fast",  "rfm-r:3",     "vip"};
const std::vector<std::string> kStaleGrades = {"A", "B", "C", "D", ""};

// Orders are placed within the last 7 years: the quarter table covers them.
constexpr int64_t kOrderHistoryDays = 7 * 365;

}  // namespace

SyntheticProfileGenerator::SyntheticProfileGenerator(SyntheticProfileOptions options)
    : options_(std::move(options)),
      industries_(domain::StandardIndustries()),
      enterprise_types_(domain::StandardEnterpriseTypes()),
      enterprise_sizes_(domain::StandardEnterpriseSizes()),
      provinces_(domain::StandardProvinces()),
      cities_(domain::KnownCities()) {
  for (int64_t at = options_.now - (kOrderHistoryDays + 200) * kDay; at <= options_.now + 100 * kDay;
       at += 30 * kDay) {
    std::string key = domain::QuarterKey(at);
    if (!quarters_.empty() && quarters_.back().key == key) continue;
    quarters_.push_back({.start = QuarterStart(at), .key = std::move(key)});
  }
}

int64_t SyntheticProfileGenerator::QuarterStart(int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  std::tm start{};
  start.tm_year = utc.tm_year;
  start.tm_mon = utc.tm_mon / 3 * 3;
  start.tm_mday = 1;
  return static_cast<int64_t>(timegm(&start));
}

size_t SyntheticProfileGenerator::QuarterOf(int64_t seconds) const {
  auto after = std::upper_bound(quarters_.begin(), quarters_.end(), seconds,
                                [](int64_t at, const Quarter& quarter) { return at < quarter.start; });
  return static_cast<size_t>(std::max<std::ptrdiff_t>(0, after - quarters_.begin() - 1));
}

std::string SyntheticProfileGenerator::CustomerId(uint64_t index) const {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%010llu", static_cast<unsigned long long>(index));
  return options_.id_prefix + "-c" + digits;
}

v1::Profile SyntheticProfileGenerator::Generate(uint64_t index) const {
  v1::Profile profile;
  Generate(index, profile);
  return profile;
}

void SyntheticProfileGenerator::Generate(uint64_t index, v1::Profile& profile) const {
  profile.Clear();
  Random random(options_.seed * 0x9E3779B97F4A7C15ULL ^ (index + 1) * 0xD1B54A32D192ED03ULL);
  const int64_t now = options_.now;
  profile.set_customer_id(CustomerId(index));
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_customer_id(profile.customer_id());
  FillMasterData(random, index, customer);

  // About a third are leads that never bought; some buyers and some leads are marked lost.
  const bool buyer = random.Chance(0.65);
  customer.set_type(random.Chance(buyer ? 0.08 : 0.10) ? v1::CUSTOMER_TYPE_LOST
                    : buyer                            ? v1::CUSTOMER_TYPE_CLOSED
                                                       : v1::CUSTOMER_TYPE_POTENTIAL);
  int64_t earliest = now;
  int64_t latest = now - static_cast<int64_t>(random.LogUniform(0.05, 600) * kDay);
  if (buyer) {
    AddOrders(random, profile);
    earliest = profile.first_order_at().seconds();
    latest = std::max(latest, profile.last_order_at().seconds());
  }
  AddFollowUps(random, profile);
  if (profile.follow_up_count() > 0) latest = std::max(latest, profile.last_follow_up_at().seconds());
  AddService(random, profile);
  earliest = std::min(earliest, latest);
  SetTime(customer.mutable_first_contact_at(), earliest - random.Between(0, 365) * kDay);
  SetTime(profile.mutable_last_interaction_at(), latest);
  SetTime(profile.mutable_updated_at(), latest);
  AddCustomFields(random, buyer, customer);

  Count(profile, v1::INTERACTION_TYPE_CALL_INBOUND, random.Between(0, 20));
  Count(profile, v1::INTERACTION_TYPE_CALL_OUTBOUND, random.Between(0, 30));
  if (random.Chance(0.5)) Count(profile, v1::INTERACTION_TYPE_WEB_PAGE_VIEW, random.Between(1, 200));
  uint64_t interactions = 0;
  for (const auto& [type, count] : profile.interaction_counts()) interactions += count;
  profile.set_version(1 + interactions + random.Between(0, 5));

  // Most profiles are new to the rules; the others carry tags of an older rule set.
  if (random.Chance(0.3)) {
    std::vector<std::string> tags;
    for (int64_t n = random.Between(2, 6); n > 0; --n) tags.push_back(random.Pick(kStaleTags));
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    profile.mutable_tags()->Assign(tags.begin(), tags.end());
    profile.set_grade(random.Pick(kStaleGrades));
  }
}

void SyntheticProfileGenerator::FillMasterData(Random& random, uint64_t index, v1::Customer& customer) const {
  customer.set_name("合成客户" + std::to_string(index) + "有限公司");
  customer.set_contact_person("联系人" + std::to_string(index % 9973));
  customer.set_contact_phone("+86139" + std::to_string(10'000'000 + index % 90'000'000));
  if (random.Chance(0.96)) customer.set_industry(random.Pick(industries_));
  if (random.Chance(0.94)) customer.set_enterprise_type(random.Pick(enterprise_types_));
  if (random.Chance(0.95)) customer.set_enterprise_size(random.Pick(enterprise_sizes_));
  customer.set_source(random.Pick(kSources));
  customer.set_owner("sales-" + std::to_string(index % 50));
  customer.set_department(random.Pick(kDepartments));
  customer.set_team("team-" + std::to_string(index % 7));
  customer.set_follow_up_stage(random.Pick(kStages));
  if (random.Chance(0.97)) {
    v1::Region& region = *customer.mutable_region();
    if (random.Chance(0.7)) {
      const domain::KnownCity& city = random.Pick(cities_);
      region.set_province(city.province);
      region.set_city(city.name);
    } else {
      region.set_province(random.Pick(provinces_));
    }
  }
  if (customer.industry() == "汽车") {
    v1::Vehicle& car = *customer.add_vehicles();
    car.set_car_model(random.Pick(kCarModels));
    car.set_plate("粤B" + std::to_string(10000 + index % 90000));
  }
}

void SyntheticProfileGenerator::AddOrders(Random& random, v1::Profile& profile) const {
  const int64_t now = options_.now;
  double tier = random.Uniform();
  int64_t orders = tier < 0.30   ? 1
                   : tier < 0.60 ? random.Between(2, 4)
                   : tier < 0.88 ? random.Between(5, 24)
                                 : random.Between(25, 150);
  // Average order value in yuan: from small retail buys to large projects, so cumulative
  // amounts cover every value band and the strategic one.
  double average = random.LogUniform(300, 150'000);
  double recency = random.Uniform();
  double age_days = recency < 0.35   ? random.Uniform(0, 30)
                    : recency < 0.55 ? random.Uniform(30, 90)
                    : recency < 0.70 ? random.Uniform(90, 180)
                    : recency < 0.85 ? random.Uniform(180, 365)
                                     : random.Uniform(365, 1000);
  int64_t last = now - static_cast<int64_t>(age_days * kDay);
  int64_t span = orders == 1 ? 0 : static_cast<int64_t>(random.LogUniform(20, 1500) * kDay);
  int64_t first = std::max(last - span, now - kOrderHistoryDays * kDay);
  SetTime(profile.mutable_first_order_at(), first);
  SetTime(profile.mutable_last_order_at(), last);

  std::vector<uint64_t> orders_in(quarters_.size(), 0);
  std::vector<int64_t> amount_in(quarters_.size(), 0);
  int64_t total = 0;
  for (int64_t k = 0; k < orders; ++k) {
    int64_t at = k == 0   ? last
                 : k == 1 ? first
                          : first + static_cast<int64_t>(random.Uniform() * (last - first));
    size_t quarter = QuarterOf(at);
    int64_t fen = static_cast<int64_t>(average * random.Uniform(0.5, 1.5) * 100);
    orders_in[quarter] += 1;
    amount_in[quarter] += fen;
    total += fen;
  }
  for (size_t q = 0; q < quarters_.size(); ++q) {
    if (orders_in[q] == 0) continue;
    (*profile.mutable_orders_by_quarter())[quarters_[q].key] = orders_in[q];
    (*profile.mutable_amount_by_quarter())[quarters_[q].key] = amount_in[q];
  }
  profile.set_order_count(static_cast<uint64_t>(orders));
  profile.mutable_cumulative_amount()->set_amount_minor(total);
  profile.mutable_cumulative_amount()->set_currency("CNY");
  Count(profile, v1::INTERACTION_TYPE_ORDER_PLACED, static_cast<uint64_t>(orders));
  if (random.Chance(0.15)) {
    Count(profile, v1::INTERACTION_TYPE_ORDER_REFUNDED, random.Between(1, std::max<int64_t>(1, orders / 2)));
  }
}

void SyntheticProfileGenerator::AddFollowUps(Random& random, v1::Profile& profile) const {
  double tier = random.Uniform();
  int64_t count = tier < 0.35   ? random.Between(0, 2)
                  : tier < 0.60 ? random.Between(3, 4)
                                : random.Between(5, 30);
  if (count == 0) return;
  profile.set_follow_up_count(static_cast<uint64_t>(count));
  Count(profile, v1::INTERACTION_TYPE_FOLLOW_UP, static_cast<uint64_t>(count));
  int64_t last = options_.now - static_cast<int64_t>(random.LogUniform(0.1, 200) * kDay);
  SetTime(profile.mutable_last_follow_up_at(), last);
  int64_t kept = std::min<int64_t>(count, 2);
  for (int64_t k = kept - 1; k >= 0; --k) {
    v1::FollowUpRecord& record = *profile.add_recent_follow_ups();
    SetTime(record.mutable_occurred_at(), last - k * random.Between(1, 20) * kDay);
    record.set_agent(profile.customer().owner());
    record.set_event_id(profile.customer_id() + "-f" + std::to_string(count - k));
  }
}

void SyntheticProfileGenerator::AddService(Random& random, v1::Profile& profile) const {
  const int64_t now = options_.now;
  if (random.Chance(0.85)) {
    // Average response: fast (within a day), in between, or slow (over three days).
    double tier = random.Uniform();
    double hours = tier < 0.45   ? random.LogUniform(0.2, 24)
                   : tier < 0.75 ? random.Uniform(24, 72)
                                 : random.LogUniform(72, 240);
    auto responses = static_cast<uint64_t>(random.Between(1, 40));
    profile.set_response_count(responses);
    profile.set_response_seconds_sum(static_cast<uint64_t>(hours * kHour) * responses);
    profile.set_last_response_seconds(static_cast<uint64_t>(hours * kHour * random.Uniform(0.5, 1.5)));
  }
  if (random.Chance(0.12)) {
    SetTime(profile.mutable_awaiting_response_since(),
            now - static_cast<int64_t>(random.LogUniform(1, 480) * kHour));
  }

  if (random.Chance(0.55)) {
    int64_t sent = random.Between(1, 12);
    int64_t accepted = random.Between(0, sent);
    int64_t rejected = random.Between(0, sent - accepted);
    profile.set_quotes_sent(static_cast<uint64_t>(sent));
    profile.set_quotes_accepted(static_cast<uint64_t>(accepted));
    profile.set_quotes_rejected(static_cast<uint64_t>(rejected));
    Count(profile, v1::INTERACTION_TYPE_QUOTE_SENT, static_cast<uint64_t>(sent));
    Count(profile, v1::INTERACTION_TYPE_QUOTE_ACCEPTED, static_cast<uint64_t>(accepted));
    Count(profile, v1::INTERACTION_TYPE_QUOTE_REJECTED, static_cast<uint64_t>(rejected));
    // The newest rejections, oldest first; some customers reject quotes days apart,
    // others twice within three days (price sensitive).
    std::vector<int64_t> times;
    int64_t at = now - static_cast<int64_t>(random.LogUniform(1, 400) * kDay);
    for (int64_t k = std::min<int64_t>(rejected, 10); k > 0; --k) {
      times.push_back(at);
      double gap_days = random.Chance(0.35) ? random.Uniform(0.2, 2.9) : random.Uniform(4, 60);
      at -= static_cast<int64_t>(gap_days * kDay);
    }
    for (auto time = times.rbegin(); time != times.rend(); ++time)
      SetTime(profile.add_recent_quote_rejections(), *time);
  }

  if (random.Chance(0.22)) {
    int64_t complaints = random.Between(1, 6);
    profile.set_complaint_count(static_cast<uint64_t>(complaints));
    profile.set_complaint_resolved_count(static_cast<uint64_t>(random.Between(0, complaints)));
    Count(profile, v1::INTERACTION_TYPE_COMPLAINT_OPENED, profile.complaint_count());
    Count(profile, v1::INTERACTION_TYPE_COMPLAINT_RESOLVED, profile.complaint_resolved_count());
  }
  if (random.Chance(0.15)) profile.set_grumble_count(static_cast<uint64_t>(random.Between(1, 4)));
  if (random.Chance(0.10)) profile.set_suggestion_count(static_cast<uint64_t>(random.Between(1, 3)));
  Count(profile, v1::INTERACTION_TYPE_GRUMBLE, profile.grumble_count());
  Count(profile, v1::INTERACTION_TYPE_SUGGESTION, profile.suggestion_count());
  if (random.Chance(0.35)) {
    int64_t ratings = random.Between(1, 6);
    uint64_t sum = 0;
    for (int64_t k = 0; k < ratings; ++k) sum += static_cast<uint64_t>(random.Between(1, 5));
    profile.set_satisfaction_count(static_cast<uint64_t>(ratings));
    profile.set_satisfaction_sum(sum);
    Count(profile, v1::INTERACTION_TYPE_SURVEY_ANSWERED, static_cast<uint64_t>(ratings));
  }
}

void SyntheticProfileGenerator::AddCustomFields(Random& random, bool buyer, v1::Customer& customer) const {
  auto& fields = *customer.mutable_custom_fields();
  if (buyer && random.Chance(0.3)) fields["profit_margin"] = Decimal(random.Uniform(0, 0.5));
  if (!buyer && random.Chance(0.3)) {
    fields["assets"] = std::to_string(static_cast<int64_t>(random.LogUniform(1e5, 1e9)));
    fields["revenue"] = std::to_string(static_cast<int64_t>(random.LogUniform(1e5, 1e9)));
    fields["growth"] = Decimal(random.Uniform(-0.1, 0.5));
  }
  // A free-text field, as imports carry: number() of it is missing.
  if (random.Chance(0.05)) fields["备注"] = "重点跟进";
}

}  // namespace custflow::testing
