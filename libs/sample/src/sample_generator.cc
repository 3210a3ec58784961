#include "custflow/sample/sample_generator.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <cstdio>
#include <span>
#include <string_view>

#include "custflow/sample/vin.h"
#include "random.h"
#include "vocabulary.h"

namespace custflow::sample {
namespace {

namespace vocab = vocabulary;

// Salts keep the random streams of customers, events and shared records apart.
enum Salt : uint64_t {
  kCustomerSalt = 1,
  kCarSalt,
  kVisitorSalt,
  kEventSalt,
  kOrderSalt,
  kQuoteSalt,
  kCaseSalt
};

// Orders, quotes and complaint cases come from a few slots per customer, so a refund
// names an order of the same customer, an accepted quote one that was sent, a resolved
// complaint one that was opened.
constexpr uint64_t kSlotsPerCustomer = 4;

constexpr int64_t kDaySeconds = 86'400;

enum class Family { kCall, kWeb, kOrder, kQuote, kComplaint, kSurvey, kFollowUp, kStoreVisit };

struct WeightedChannel {
  v1::Channel channel;
  int weight;
};

constexpr std::array<WeightedChannel, 1> kPhone = {{{v1::CHANNEL_PHONE, 1}}};
constexpr std::array<WeightedChannel, 1> kWeb = {{{v1::CHANNEL_WEB, 1}}};
constexpr std::array<WeightedChannel, 1> kChat = {{{v1::CHANNEL_CHAT, 1}}};
constexpr std::array<WeightedChannel, 1> kStore = {{{v1::CHANNEL_STORE, 1}}};
constexpr std::array<WeightedChannel, 3> kOrderChannels = {
    {{v1::CHANNEL_SALES, 50}, {v1::CHANNEL_WEB, 30}, {v1::CHANNEL_STORE, 20}}};
constexpr std::array<WeightedChannel, 2> kQuoteChannels = {
    {{v1::CHANNEL_SALES, 60}, {v1::CHANNEL_EMAIL, 40}}};
constexpr std::array<WeightedChannel, 4> kComplaintChannels = {
    {{v1::CHANNEL_PHONE, 50}, {v1::CHANNEL_WEB, 20}, {v1::CHANNEL_EMAIL, 15}, {v1::CHANNEL_CHAT, 15}}};
constexpr std::array<WeightedChannel, 3> kSurveyChannels = {
    {{v1::CHANNEL_PHONE, 50}, {v1::CHANNEL_WEB, 30}, {v1::CHANNEL_EMAIL, 20}}};
constexpr std::array<WeightedChannel, 3> kFollowUpChannels = {
    {{v1::CHANNEL_SALES, 50}, {v1::CHANNEL_PHONE, 35}, {v1::CHANNEL_CHAT, 15}}};

struct TypeSpec {
  v1::InteractionType type;
  Family family;
  std::span<const WeightedChannel> channels;
  int weight;  // per mille of all events, roughly
};

constexpr std::array<TypeSpec, 20> kTypes = {{
    {v1::INTERACTION_TYPE_CALL_INBOUND, Family::kCall, kPhone, 140},
    {v1::INTERACTION_TYPE_CALL_OUTBOUND, Family::kCall, kPhone, 90},
    {v1::INTERACTION_TYPE_CALL_MISSED, Family::kCall, kPhone, 30},
    {v1::INTERACTION_TYPE_CALL_CALLBACK, Family::kCall, kPhone, 20},
    {v1::INTERACTION_TYPE_WEB_PAGE_VIEW, Family::kWeb, kWeb, 280},
    {v1::INTERACTION_TYPE_WEB_FORM_SUBMIT, Family::kWeb, kWeb, 30},
    {v1::INTERACTION_TYPE_WEB_CHAT, Family::kWeb, kChat, 30},
    {v1::INTERACTION_TYPE_WEB_IDENTIFY, Family::kWeb, kWeb, 20},
    {v1::INTERACTION_TYPE_ORDER_PLACED, Family::kOrder, kOrderChannels, 50},
    {v1::INTERACTION_TYPE_ORDER_REFUNDED, Family::kOrder, kOrderChannels, 5},
    {v1::INTERACTION_TYPE_QUOTE_SENT, Family::kQuote, kQuoteChannels, 40},
    {v1::INTERACTION_TYPE_QUOTE_ACCEPTED, Family::kQuote, kQuoteChannels, 15},
    {v1::INTERACTION_TYPE_QUOTE_REJECTED, Family::kQuote, kQuoteChannels, 10},
    {v1::INTERACTION_TYPE_COMPLAINT_OPENED, Family::kComplaint, kComplaintChannels, 20},
    {v1::INTERACTION_TYPE_COMPLAINT_RESOLVED, Family::kComplaint, kComplaintChannels, 15},
    {v1::INTERACTION_TYPE_GRUMBLE, Family::kComplaint, kComplaintChannels, 15},
    {v1::INTERACTION_TYPE_SUGGESTION, Family::kComplaint, kComplaintChannels, 10},
    {v1::INTERACTION_TYPE_SURVEY_ANSWERED, Family::kSurvey, kSurveyChannels, 50},
    {v1::INTERACTION_TYPE_FOLLOW_UP, Family::kFollowUp, kFollowUpChannels, 80},
    {v1::INTERACTION_TYPE_STORE_VISIT, Family::kStoreVisit, kStore, 30},
}};

constexpr std::array<vocab::Weighted, 4> kEnterpriseTypes = {
    {{"private", 60}, {"state-owned", 15}, {"foreign", 15}, {"joint-venture", 10}}};

struct WeightedType {
  v1::CustomerType type;
  int weight;
};
constexpr std::array<WeightedType, 3> kCustomerTypes = {
    {{v1::CUSTOMER_TYPE_POTENTIAL, 60}, {v1::CUSTOMER_TYPE_CLOSED, 30}, {v1::CUSTOMER_TYPE_LOST, 10}}};

// Model years 2019 to 2024 as VIN position 10 writes them.
constexpr std::string_view kModelYears = "KLMNPR";
// Letters a licence plate may use (no I or O).
constexpr std::string_view kPlateLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";

template <typename T, size_t N>
std::span<const T> Span(const std::array<T, N>& items) {
  return std::span<const T>(items);
}

std::string Digits(uint64_t value, int width) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%0*llu", width, static_cast<unsigned long long>(value));
  return buffer;
}

std::string Hex(uint64_t value) {
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

// "深圳市" -> "深圳": the city as it starts a company name.
std::string CityShort(std::string_view city) {
  constexpr std::string_view kShi = "市";
  if (city.ends_with(kShi)) city.remove_suffix(kShi.size());
  return std::string(city);
}

void SetTime(google::protobuf::Timestamp& out, int64_t seconds, Random& random) {
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(random.Below(1000)) * 1'000'000);
}

void SetYuan(v1::Money& out, int64_t yuan) {
  out.set_amount_minor(yuan * 100);
  out.set_currency("CNY");
}

// An amount in [min, max] rounded to 100 yuan, as price lists are.
int64_t PriceYuan(Random& random, const vocab::Product& product) {
  return random.Between(product.min_yuan / 100, product.max_yuan / 100) * 100;
}

const vocab::Owner& PickOwner(Random& random, vocab::SalesRegion region, bool large) {
  bool key_account = large && random.Chance(0.5);
  std::array<const vocab::Owner*, vocab::kOwners.size()> candidates{};
  size_t count = 0;
  for (const vocab::Owner& owner : vocab::kOwners) {
    bool fits = key_account ? owner.key_accounts : !owner.key_accounts && owner.sales_region == region;
    if (fits) candidates[count++] = &owner;
  }
  return *candidates[random.Below(count)];
}

std::string PersonName(Random& random, const vocab::Surname& surname, bool english) {
  if (english) return std::string(random.Pick(Span(vocab::kEnglishNames))) + " " + surname.pinyin;
  return std::string(surname.zh) + random.Pick(Span(vocab::kGivenNames)).zh;
}

std::string Email(Random& random, const vocab::Surname& surname, std::string_view company_domain, int index) {
  std::string given = Lower(random.Pick(Span(vocab::kGivenNames)).pinyin);
  std::string number = std::to_string(index);
  if (random.Chance(0.3)) {
    return Lower(surname.pinyin) + given + number + "@" + random.Pick(Span(vocab::kPublicMailDomains));
  }
  return given + "." + Lower(surname.pinyin) + number + "@" + std::string(company_domain);
}

std::string MobilePhone(Random& random) {
  return std::string("+86") + random.Pick(Span(vocab::kMobilePrefixes)) +
         Digits(random.Below(100'000'000), 8);
}

std::string Plate(Random& random, const vocab::Place& place, bool new_energy) {
  std::string plate = place.plate_prefix;
  if (new_energy) plate.push_back(random.Chance(0.8) ? 'D' : 'F');
  // Mostly digits; now and then one letter among them, as issued plates have.
  size_t letter_at = random.Chance(0.3) ? random.Below(5) : 5;
  for (size_t i = 0; i < 5; ++i) {
    plate.push_back(i == letter_at ? kPlateLetters[random.Below(kPlateLetters.size())]
                                   : static_cast<char>('0' + random.Below(10)));
  }
  return plate;
}

v1::Vehicle MakeCar(Random& random, const vocab::Place& place, int64_t now_seconds) {
  const vocab::CarModel& model = random.PickWeighted(Span(vocab::kCarModels));
  std::string vin = std::string(model.wmi) + model.vds + "0";
  vin.push_back(kModelYears[random.Below(kModelYears.size())]);
  vin.push_back(static_cast<char>('A' + random.Below(8)));  // assembly plant
  vin += Digits(random.Below(1'000'000), 6);
  vin[8] = VinCheckDigit(vin);
  v1::Vehicle car;
  car.set_car_model(model.name);
  car.set_vin(vin);
  car.set_plate(Plate(random, place, model.new_energy));
  SetTime(*car.mutable_purchased_at(), now_seconds - random.Between(30, 5 * 365) * kDaySeconds, random);
  return car;
}

// A record shared by the events of one customer (an order and its refund, a quote and its
// answer, a complaint and its resolution): its id, product and amount.
struct SharedRecord {
  std::string id;
  const vocab::Product* product;
  int64_t yuan;
  Random random;  // for further details that must match across the events
};

SharedRecord Record(uint64_t seed, Salt salt, size_t customer, Random& event_random) {
  uint64_t slot = event_random.Below(kSlotsPerCustomer);
  Random random(Combine(seed, salt, customer * kSlotsPerCustomer + slot));
  std::string id = Digits(random.Below(10'000'000'000ull), 10);
  const vocab::Product& product = random.PickWeighted(Span(vocab::kProducts));
  int64_t yuan = PriceYuan(random, product);
  return {std::move(id), &product, yuan, random};
}

void SetAgent(v1::Interaction& event, const char* agent, const char* department, const char* team) {
  event.set_agent(agent);
  event.set_department(department);
  event.set_team(team);
}

void SetOwnerAsAgent(v1::Interaction& event, const v1::Customer& customer) {
  event.set_agent(customer.owner());
  event.set_department(customer.department());
  event.set_team(customer.team());
}

void SetQueueAgent(Random& random, v1::Interaction& event, const vocab::Queue& queue) {
  SetAgent(event, random.Pick(Span(queue.agents)), vocab::kCallCenterDepartment, queue.team);
}

uint32_t Seconds(Random& random, int64_t low, int64_t high) {
  // The smaller of two draws: short contacts are common, long ones rare.
  int64_t first = random.Between(low, high);
  int64_t second = random.Between(low, high);
  return static_cast<uint32_t>(std::min(first, second));
}

void FillCall(Random& random, v1::Interaction& event) {
  const vocab::Queue& queue = random.PickWeighted(Span(vocab::kQueues));
  v1::CallDetail& call = *event.mutable_call();
  call.set_queue(queue.name);
  if (event.type() == v1::INTERACTION_TYPE_CALL_MISSED) {
    // Nobody answered: the queue's team owns the call, no agent talked.
    call.set_disposition("abandoned");
    event.set_department(vocab::kCallCenterDepartment);
    event.set_team(queue.team);
    event.set_wait_seconds(Seconds(random, 15, 300));
    return;
  }
  SetQueueAgent(random, event, queue);
  switch (event.type()) {
    case v1::INTERACTION_TYPE_CALL_OUTBOUND:
      call.set_disposition(random.PickWeighted(Span(vocab::kOutboundDispositions)).name);
      break;
    case v1::INTERACTION_TYPE_CALL_CALLBACK:
      call.set_disposition(random.Chance(0.8) ? "resolved" : "no-answer");
      break;
    default:
      call.set_disposition(random.PickWeighted(Span(vocab::kInboundDispositions)).name);
      event.set_wait_seconds(Seconds(random, 0, 180));
      break;
  }
  bool answered = call.disposition() != "no-answer";
  event.set_duration_seconds(answered ? Seconds(random, 30, 1200) : 0);
}

void FillWeb(Random& random, v1::Interaction& event, uint64_t seed, size_t customer) {
  v1::WebDetail& web = *event.mutable_web();
  // A customer's page views fall into a handful of sessions.
  web.set_session_id("s_" + Hex(Combine(seed, kVisitorSalt, customer * 64 + random.Below(16))));
  web.set_referrer(random.PickWeighted(Span(vocab::kReferrers)).name);
  event.mutable_attributes()->insert({"device", random.PickWeighted(Span(vocab::kDevices)).name});
  std::string page;
  switch (event.type()) {
    case v1::INTERACTION_TYPE_WEB_FORM_SUBMIT:
      page = random.Chance(0.5) ? "/contact" : "/trial";
      event.mutable_attributes()->insert({"form", page == "/contact" ? "contact" : "trial"});
      break;
    case v1::INTERACTION_TYPE_WEB_CHAT: {
      page = "/support/chat";
      const vocab::Queue& queue = vocab::kQueues[random.Below(2)];  // pre-sales or after-sales
      SetQueueAgent(random, event, queue);
      event.set_wait_seconds(Seconds(random, 0, 90));
      event.set_duration_seconds(Seconds(random, 60, 1800));
      break;
    }
    case v1::INTERACTION_TYPE_WEB_IDENTIFY:
      page = "/login";
      break;
    default:
      page = random.Pick(Span(vocab::kPages));
      event.set_duration_seconds(Seconds(random, 3, 600));
      break;
  }
  web.set_url(std::string(vocab::kSite) + page);
}

void FillOrder(Random& random, v1::Interaction& event, uint64_t seed, size_t customer) {
  SharedRecord order = Record(seed, kOrderSalt, customer, random);
  v1::OrderDetail& detail = *event.mutable_order();
  detail.set_order_id("SO" + order.id);
  detail.set_product(order.product->name);
  int64_t yuan = order.yuan;
  if (event.type() == v1::INTERACTION_TYPE_ORDER_REFUNDED) {
    yuan =
        random.Chance(0.6) ? order.yuan : std::max<int64_t>(100, order.yuan * random.Between(10, 90) / 100);
  }
  SetYuan(*event.mutable_amount(), yuan);
  event.set_source_system("erp");
}

void FillQuote(Random& random, v1::Interaction& event, uint64_t seed, size_t customer) {
  SharedRecord quote = Record(seed, kQuoteSalt, customer, random);
  v1::QuoteDetail& detail = *event.mutable_quote();
  detail.set_quote_id("QT" + quote.id);
  detail.set_product(quote.product->name);
  SetYuan(*event.mutable_amount(), quote.yuan);
}

void FillComplaint(Random& random, v1::Interaction& event, uint64_t seed, size_t customer) {
  SharedRecord record = Record(seed, kCaseSalt, customer, random);
  v1::ComplaintDetail& detail = *event.mutable_complaint();
  detail.set_case_id("CS" + record.id);
  detail.set_product(record.product->name);
  bool suggestion = event.type() == v1::INTERACTION_TYPE_SUGGESTION;
  std::span<const vocab::Weighted> categories =
      suggestion ? Span(vocab::kSuggestionCategories) : Span(vocab::kComplaintCategories);
  detail.set_category(record.random.PickWeighted(categories).name);
  if (event.type() == v1::INTERACTION_TYPE_COMPLAINT_RESOLVED) {
    detail.set_resolution(random.Pick(Span(vocab::kResolutions)));
    event.set_duration_seconds(Seconds(random, 3600, 5 * kDaySeconds));  // time to resolve
  }
  if (event.channel() == v1::CHANNEL_PHONE || event.channel() == v1::CHANNEL_CHAT) {
    SetQueueAgent(random, event, vocab::kQueues[2]);  // the complaints queue
  }
}

void FillSurvey(Random& random, v1::Interaction& event) {
  int total = 0;
  for (int weight : vocab::kSatisfactionWeights) total += weight;
  int64_t ticket = static_cast<int64_t>(random.Below(static_cast<uint64_t>(total)));
  uint32_t score = 1;
  for (int weight : vocab::kSatisfactionWeights) {
    ticket -= weight;
    if (ticket < 0) break;
    ++score;
  }
  event.set_satisfaction(score);
  event.mutable_attributes()->insert({"survey", random.PickWeighted(Span(vocab::kSurveys)).name});
  if (event.channel() == v1::CHANNEL_PHONE) SetQueueAgent(random, event, vocab::kQueues[1]);
}

void FillFollowUp(Random& random, v1::Interaction& event, const v1::Customer& customer) {
  v1::FollowUpDetail& detail = *event.mutable_follow_up();
  detail.set_content(random.Pick(Span(vocab::kFollowUpContents)));
  detail.set_customer_feedback(random.Pick(Span(vocab::kCustomerFeedback)));
  detail.set_next_step(random.Pick(Span(vocab::kNextSteps)));
  detail.set_stage(customer.type() == v1::CUSTOMER_TYPE_POTENTIAL
                       ? random.PickWeighted(Span(vocab::kOpenStages)).name
                       : customer.follow_up_stage());
  event.set_duration_seconds(Seconds(random, 300, 7200));
}

void FillStoreVisit(Random& random, v1::Interaction& event, const v1::Vehicle& car) {
  v1::StoreVisitDetail& detail = *event.mutable_store_visit();
  detail.set_car_model(car.car_model());
  detail.set_vin(car.vin());
  detail.set_plate(car.plate());
  detail.set_purpose(random.PickWeighted(Span(vocab::kVisitPurposes)).name);
  bool sales = detail.purpose() == "purchase" || detail.purpose() == "test-drive";
  const vocab::Advisor& advisor =
      sales ? random.Pick(Span(vocab::kSalesConsultants)) : random.Pick(Span(vocab::kServiceAdvisors));
  SetAgent(event, advisor.name, advisor.department, advisor.team);
  event.set_duration_seconds(Seconds(random, 1200, 4 * 3600));
}

const char* SourceSystem(v1::Channel channel) {
  switch (channel) {
    case v1::CHANNEL_PHONE:
      return "callcenter";
    case v1::CHANNEL_WEB:
      return "web-beacon";
    case v1::CHANNEL_CHAT:
      return "web-chat";
    case v1::CHANNEL_STORE:
      return "dms";
    case v1::CHANNEL_EMAIL:
      return "mail";
    default:
      return "crm";
  }
}

}  // namespace

SampleGenerator::SampleGenerator(GeneratorOptions options) : options_(std::move(options)) {
  auto now = options_.now == std::chrono::system_clock::time_point{} ? std::chrono::system_clock::now()
                                                                     : options_.now;
  now_seconds_ = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  for (int i = 0; i < options_.customers; ++i) AddCustomer(i);
}

void SampleGenerator::AddCustomer(int index) {
  Random random(Combine(options_.seed, kCustomerSalt, static_cast<uint64_t>(index)));
  v1::Customer& customer = customers_.emplace_back();
  customer.set_customer_id(options_.run + "-c" + std::to_string(index));

  size_t place_index = &random.PickWeighted(Span(vocab::kPlaces)) - vocab::kPlaces.data();
  const vocab::Place& place = vocab::kPlaces[place_index];
  const vocab::Industry& industry = random.PickWeighted(Span(vocab::kIndustries));
  const vocab::Surname& surname = random.Pick(Span(vocab::kSurnames));
  std::string enterprise_type = random.PickWeighted(Span(kEnterpriseTypes)).name;
  std::string size = random.PickWeighted(Span(vocab::kEnterpriseSizes)).name;
  bool foreign = enterprise_type == "foreign";
  std::string domain;
  if (foreign) {
    std::string brand = random.Pick(Span(vocab::kForeignBrands));
    customer.set_name(brand + " " + industry.company_kind_en + " (" + place.city_en + ") Co., Ltd.");
    domain = Lower(brand) + ".com";
  } else {
    const vocab::TradeName& trade = random.Pick(Span(vocab::kTradeNames));
    customer.set_name(CityShort(place.city) + trade.zh + industry.company_kind);
    (*customer.mutable_custom_fields())["english_name"] =
        std::string(place.city_en) + " " + trade.pinyin + " " + industry.company_kind_en + " Co., Ltd.";
    domain = Lower(trade.pinyin) + ".com.cn";
  }
  customer.set_contact_person(PersonName(random, surname, foreign && random.Chance(0.5)));
  customer.set_contact_phone(MobilePhone(random));
  customer.set_email(Email(random, surname, domain, index));
  customer.set_industry(industry.name);
  customer.set_enterprise_type(enterprise_type);
  customer.set_enterprise_size(size);
  customer.set_needs(industry.needs);
  if (random.Chance(0.3)) customer.set_notes(random.Pick(Span(vocab::kNotes)));
  customer.set_source(random.PickWeighted(Span(vocab::kSources)).name);
  customer.set_type(random.PickWeighted(Span(kCustomerTypes)).type);
  switch (customer.type()) {
    case v1::CUSTOMER_TYPE_CLOSED:
      customer.set_follow_up_stage("赢单");
      break;
    case v1::CUSTOMER_TYPE_LOST:
      customer.set_follow_up_stage("输单");
      break;
    default:
      customer.set_follow_up_stage(random.PickWeighted(Span(vocab::kOpenStages)).name);
      break;
  }
  SetTime(*customer.mutable_first_contact_at(), now_seconds_ - random.Between(1, 730) * kDaySeconds, random);
  const vocab::Owner& owner = PickOwner(random, place.sales_region, size == "large");
  customer.set_owner(owner.name);
  customer.set_department(owner.department);
  customer.set_team(owner.team);
  v1::Region& region = *customer.mutable_region();
  region.set_province(place.province);
  region.set_city(place.city);
  region.set_district(random.Pick(Span(place.districts)));

  Random car_random(Combine(options_.seed, kCarSalt, static_cast<uint64_t>(index)));
  Traits& traits = traits_.emplace_back();
  traits.place = place_index;
  traits.visitor_id = "vis_" + Hex(Combine(options_.seed, kVisitorSalt, static_cast<uint64_t>(index)));
  traits.car = MakeCar(car_random, place, now_seconds_);
  // Dealership customers have their car on file; for others it shows only at store visits.
  if (customer.industry() == std::string_view("汽车")) *customer.add_vehicles() = traits.car;
}

v1::Interaction SampleGenerator::Event(uint64_t index) const {
  assert(!customers_.empty());
  Random random(Combine(options_.seed, kEventSalt, index));
  // Activity is skewed: the first customers are the busiest, as big accounts are.
  double share = random.Unit();
  size_t customer_index = static_cast<size_t>(share * share * static_cast<double>(customers_.size()));
  const v1::Customer& customer = customers_[customer_index];
  const Traits& traits = traits_[customer_index];
  const TypeSpec& spec = random.PickWeighted(Span(kTypes));

  v1::Interaction event;
  event.set_event_id(options_.run + "-e" + std::to_string(index));
  event.set_type(spec.type);
  event.set_channel(random.PickWeighted(spec.channels).channel);
  SetTime(*event.mutable_occurred_at(),
          now_seconds_ - static_cast<int64_t>(random.Below(static_cast<uint64_t>(options_.history.count()))),
          random);
  event.set_source_system(SourceSystem(event.channel()));
  // The owner logs sales work; calls, chats and store visits name who handled them.
  if (spec.family != Family::kCall && spec.family != Family::kWeb && spec.family != Family::kStoreVisit) {
    SetOwnerAsAgent(event, customer);
  }
  uint64_t seed = options_.seed;
  switch (spec.family) {
    case Family::kCall:
      FillCall(random, event);
      break;
    case Family::kWeb:
      FillWeb(random, event, seed, customer_index);
      break;
    case Family::kOrder:
      FillOrder(random, event, seed, customer_index);
      break;
    case Family::kQuote:
      FillQuote(random, event, seed, customer_index);
      break;
    case Family::kComplaint:
      FillComplaint(random, event, seed, customer_index);
      break;
    case Family::kSurvey:
      FillSurvey(random, event);
      break;
    case Family::kFollowUp:
      FillFollowUp(random, event, customer);
      break;
    case Family::kStoreVisit:
      FillStoreVisit(random, event, traits.car);
      break;
  }

  v1::CustomerRef& ref = *event.mutable_customer();
  bool identity_only = random.Chance(options_.identity_mix);
  if (event.type() == v1::INTERACTION_TYPE_WEB_IDENTIFY) ref.set_visitor_id(traits.visitor_id);
  if (!identity_only) {
    ref.set_customer_id(customer.customer_id());
  } else if (event.type() == v1::INTERACTION_TYPE_WEB_IDENTIFY ||
             event.type() == v1::INTERACTION_TYPE_WEB_FORM_SUBMIT || event.channel() == v1::CHANNEL_EMAIL) {
    ref.set_email(customer.email());
  } else if (event.channel() == v1::CHANNEL_WEB || event.channel() == v1::CHANNEL_CHAT) {
    ref.set_visitor_id(traits.visitor_id);
  } else {
    ref.set_phone(customer.contact_phone());
  }
  return event;
}

SampleData GenerateSample(const std::string& run, uint64_t seed, int customers, int events) {
  SampleGenerator generator({.seed = seed, .run = run, .customers = customers});
  SampleData data;
  data.customers = generator.customers();
  for (int i = 0; i < events && customers > 0; ++i)
    data.events.push_back(generator.Event(static_cast<uint64_t>(i)));
  return data;
}

}  // namespace custflow::sample
