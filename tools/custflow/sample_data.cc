#include "tools/custflow/sample_data.h"

#include <array>
#include <chrono>
#include <random>
#include <string>

namespace custflow::tools {
namespace {

struct Place {
  const char* province;
  const char* city;
  const char* district;
};

constexpr std::array<Place, 6> kPlaces = {{{"广东省", "深圳市", "南山区"},
                                           {"广东省", "广州市", "天河区"},
                                           {"浙江省", "杭州市", "西湖区"},
                                           {"江苏省", "南京市", "鼓楼区"},
                                           {"北京市", "北京市", "海淀区"},
                                           {"上海市", "上海市", "浦东新区"}}};
constexpr std::array<const char*, 6> kIndustries = {"制造业", "零售", "汽车", "信息技术", "金融", "物流"};
constexpr std::array<const char*, 4> kSources = {"展会", "网站", "转介绍", "来电"};
constexpr std::array<const char*, 5> kSurnames = {"张", "王", "李", "赵", "陈"};
constexpr std::array<const char*, 4> kNameParts = {"华南", "东方", "新锐", "恒通"};
constexpr std::array<const char*, 4> kCompanyKinds = {"贸易有限公司", "科技有限公司", "汽车销售服务有限公司",
                                                      "物流有限公司"};
struct Owner {
  const char* name;
  const char* department;
  const char* team;
};
constexpr std::array<Owner, 4> kOwners = {{{"李娜", "华南销售部", "一组"},
                                           {"王强", "华南销售部", "二组"},
                                           {"刘洋", "华东销售部", "一组"},
                                           {"Emily Chen", "大客户部", "KA"}}};
constexpr std::array<v1::InteractionType, 8> kTypes = {
    v1::INTERACTION_TYPE_CALL_INBOUND,  v1::INTERACTION_TYPE_WEB_PAGE_VIEW,    v1::INTERACTION_TYPE_FOLLOW_UP,
    v1::INTERACTION_TYPE_QUOTE_SENT,    v1::INTERACTION_TYPE_ORDER_PLACED,     v1::INTERACTION_TYPE_SURVEY_ANSWERED,
    v1::INTERACTION_TYPE_COMPLAINT_OPENED, v1::INTERACTION_TYPE_CALL_OUTBOUND};

template <typename T, size_t N>
const T& Pick(std::mt19937_64& random, const std::array<T, N>& items) {
  return items[random() % N];
}

v1::Channel ChannelOf(v1::InteractionType type) {
  switch (type) {
    case v1::INTERACTION_TYPE_CALL_INBOUND:
    case v1::INTERACTION_TYPE_CALL_OUTBOUND:
    case v1::INTERACTION_TYPE_SURVEY_ANSWERED:
    case v1::INTERACTION_TYPE_COMPLAINT_OPENED:
      return v1::CHANNEL_PHONE;
    case v1::INTERACTION_TYPE_WEB_PAGE_VIEW:
      return v1::CHANNEL_WEB;
    default:
      return v1::CHANNEL_SALES;
  }
}

v1::Customer MakeCustomer(std::mt19937_64& random, const std::string& run, int index) {
  v1::Customer customer;
  customer.set_customer_id(run + "-c" + std::to_string(index));
  customer.set_name(std::string(Pick(random, kNameParts)) + Pick(random, kCompanyKinds));
  customer.set_contact_person(std::string(Pick(random, kSurnames)) + "经理");
  customer.set_contact_phone("+86138" + std::to_string(10000000 + random() % 89999999));
  customer.set_industry(Pick(random, kIndustries));
  customer.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  customer.set_source(Pick(random, kSources));
  const Owner& owner = Pick(random, kOwners);
  customer.set_owner(owner.name);
  customer.set_department(owner.department);
  customer.set_team(owner.team);
  customer.set_follow_up_stage("初步接触");
  const Place& place = Pick(random, kPlaces);
  customer.mutable_region()->set_province(place.province);
  customer.mutable_region()->set_city(place.city);
  customer.mutable_region()->set_district(place.district);
  return customer;
}

v1::Interaction MakeEvent(std::mt19937_64& random, const v1::Customer& customer, const std::string& run,
                          int index, int64_t now) {
  v1::Interaction event;
  event.set_event_id(run + "-e" + std::to_string(index));
  event.mutable_customer()->set_customer_id(customer.customer_id());
  v1::InteractionType type = Pick(random, kTypes);
  event.set_type(type);
  event.set_channel(ChannelOf(type));
  event.mutable_occurred_at()->set_seconds(now - static_cast<int64_t>(random() % (90 * 86400)));
  event.set_agent(customer.owner());
  event.set_department(customer.department());
  event.set_team(customer.team());
  if (type == v1::INTERACTION_TYPE_ORDER_PLACED || type == v1::INTERACTION_TYPE_QUOTE_SENT) {
    event.mutable_amount()->set_amount_minor(static_cast<int64_t>(1000 + random() % 200000) * 100);
    event.mutable_amount()->set_currency("CNY");
  }
  if (type == v1::INTERACTION_TYPE_SURVEY_ANSWERED) event.set_satisfaction(1 + random() % 5);
  if (type == v1::INTERACTION_TYPE_CALL_INBOUND || type == v1::INTERACTION_TYPE_CALL_OUTBOUND) {
    event.set_duration_seconds(30 + random() % 900);
    event.set_wait_seconds(random() % 120);
  }
  if (type == v1::INTERACTION_TYPE_FOLLOW_UP) {
    event.mutable_follow_up()->set_content("电话回访，确认需求");
    event.mutable_follow_up()->set_customer_feedback("对报价有兴趣");
    event.mutable_follow_up()->set_stage("需求确认");
  }
  return event;
}

}  // namespace

SampleData GenerateSample(const std::string& run, uint64_t seed, int customers, int events) {
  std::mt19937_64 random(seed);
  SampleData data;
  for (int i = 0; i < customers; ++i) data.customers.push_back(MakeCustomer(random, run, i));
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch()).count();
  for (int i = 0; i < events && customers > 0; ++i) {
    const v1::Customer& customer = data.customers[random() % data.customers.size()];
    data.events.push_back(MakeEvent(random, customer, run, i, now));
  }
  return data;
}

}  // namespace custflow::tools
