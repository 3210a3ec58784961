// The rules of docs/EVENTS.md: which fields each interaction type needs, what a valid value
// is, and how values are normalized. No I/O; phone numbers, UTF-8 and e-mail shape are
// checked by the domain library (custflow/domain/phone_number.h, text.h).
#include "services/ingest/event_validation.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "custflow/domain/phone_number.h"
#include "custflow/domain/text.h"

namespace custflow::ingest {
namespace {

// ISO 4217 codes in use, plus recently replaced ones (ANG, CUC, HRK, SLL, VEF) so that
// older events still load. Sorted for binary search.
constexpr auto kCurrencies = std::to_array<std::string_view>({
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD",
    "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY",
    "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD",
    "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF", "IDR",
    "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP",
    "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
    "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG",
    "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS", "TMT", "TND",
    "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VEF", "VES", "VND", "VUV", "WST",
    "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
});
static_assert(std::is_sorted(kCurrencies.begin(), kCurrencies.end()));

constexpr uint32_t kSecondsPerDay = 24 * 60 * 60;

// Collects violations under the event's path, at most one per field: a second problem of
// the same field usually follows from the first (bad UTF-8 is also not a phone number).
class Report {
 public:
  Report(const std::string& path, std::vector<v1::FieldViolation>& out) : path_(path), out_(out) {}

  void Add(absl::string_view field, std::string reason) {
    std::string name = FieldPath(field);
    for (const v1::FieldViolation& existing : out_) {
      if (existing.field() == name) return;
    }
    v1::FieldViolation& violation = out_.emplace_back();
    violation.set_field(std::move(name));
    violation.set_description(std::move(reason));
  }

 private:
  std::string FieldPath(absl::string_view field) const {
    if (path_.empty()) return std::string(field);
    if (field.empty()) return path_;
    return absl::StrCat(path_, ".", field);
  }

  const std::string& path_;
  std::vector<v1::FieldViolation>& out_;
};

std::string RequiredFor(v1::InteractionType type) {
  return absl::StrCat("is required for ", v1::InteractionType_Name(type));
}

std::optional<std::string> TextProblem(absl::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) return absl::StrCat("is longer than ", max_bytes, " bytes");
  if (!domain::IsValidUtf8(std::string_view(text.data(), text.size()))) return "is not valid UTF-8";
  return std::nullopt;
}

// Walks every string field by reflection, so a field added to the schema is checked too.
void CheckTexts(const google::protobuf::Message& message, const std::string& prefix, size_t max_bytes,
                Report& report) {
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection.ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->is_repeated()) continue;  // the schema's one is `attributes`, checked on its own
    if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      CheckTexts(reflection.GetMessage(message, field), absl::StrCat(prefix, field->name(), "."), max_bytes,
                 report);
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      const std::string& text = reflection.GetStringReference(message, field, &scratch);
      if (auto problem = TextProblem(text, max_bytes)) report.Add(prefix + field->name(), *problem);
    }
  }
}

void CheckAttributes(const v1::Interaction& event, const ValidationOptions& options, Report& report) {
  const auto& attributes = event.attributes();
  if (attributes.size() > options.max_attributes) {
    report.Add("attributes",
               absl::StrCat("has ", attributes.size(), " entries; the limit is ", options.max_attributes));
  }
  for (const auto& [key, value] : attributes) {
    if (auto problem = TextProblem(key, options.max_string_bytes)) {
      report.Add("attributes", absl::StrCat("has a key that ", *problem));
    } else if (auto value_problem = TextProblem(value, options.max_string_bytes)) {
      report.Add(absl::StrCat("attributes[\"", absl::Utf8SafeCEscape(key), "\"]"), *value_problem);
    }
  }
}

void CheckEventId(const std::string& id, Report& report) {
  if (id.empty()) return report.Add("event_id", "is required");
  if (auto problem = TextProblem(id, kMaxEventIdBytes)) return report.Add("event_id", *problem);
  // The id is a dedupe key and shows up in logs and URLs; spaces and control characters
  // there only cause grief.
  bool printable = std::all_of(id.begin(), id.end(), [](char c) {
    return static_cast<unsigned char>(c) > ' ' && static_cast<unsigned char>(c) < 0x7F;
  });
  if (!printable) report.Add("event_id", "must be printable ASCII without spaces");
}

void NormalizeId(std::string* id, absl::string_view field, Report& report) {
  absl::StripAsciiWhitespace(id);
  if (auto problem = TextProblem(*id, kMaxIdBytes)) report.Add(field, *problem);
}

void NormalizePhone(std::string* phone, const std::string& region, Report& report) {
  absl::StripAsciiWhitespace(phone);
  if (phone->empty()) return;
  domain::PhoneResult result = domain::NormalizePhoneNumber(*phone, region);
  if (!result.error.empty()) return report.Add("customer.phone", std::move(result.error));
  *phone = std::move(result.e164);
}

void NormalizeEmail(std::string* email, Report& report) {
  absl::StripAsciiWhitespace(email);
  absl::AsciiStrToLower(email);
  if (!email->empty() && !domain::IsEmailAddress(*email)) {
    report.Add("customer.email", "is not a valid e-mail address");
  }
}

void CheckCustomer(v1::CustomerRef& customer, const ValidationOptions& options, Report& report) {
  NormalizeId(customer.mutable_customer_id(), "customer.customer_id", report);
  NormalizeId(customer.mutable_login_id(), "customer.login_id", report);
  NormalizeId(customer.mutable_visitor_id(), "customer.visitor_id", report);
  NormalizePhone(customer.mutable_phone(), options.default_phone_region, report);
  NormalizeEmail(customer.mutable_email(), report);
  if (customer.customer_id().empty() && customer.phone().empty() && customer.email().empty() &&
      customer.login_id().empty() && customer.visitor_id().empty()) {
    report.Add("customer", "needs a customer_id, phone, email, login_id or visitor_id");
  }
}

// "10 minutes", "365 days": the largest unit that divides the span evenly.
std::string DescribeSpan(std::chrono::seconds span) {
  using namespace std::chrono;
  struct Unit {
    seconds length;
    const char* name;
  };
  for (Unit unit : {Unit{days(1), "day"}, Unit{hours(1), "hour"}, Unit{minutes(1), "minute"}}) {
    if (span >= unit.length && span % unit.length == seconds::zero()) {
      int64_t count = span / unit.length;
      return absl::StrCat(count, " ", unit.name, count == 1 ? "" : "s");
    }
  }
  return absl::StrCat(span.count(), span == seconds(1) ? " second" : " seconds");
}

// (seconds, nanos) since the epoch: compared as a pair, so no conversion can overflow.
std::pair<int64_t, int32_t> SecondsAndNanos(std::chrono::system_clock::time_point time) {
  auto since_epoch = time.time_since_epoch();
  auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  return {seconds.count(), static_cast<int32_t>((since_epoch - seconds) / std::chrono::nanoseconds(1))};
}

void CheckOccurredAt(const v1::Interaction& event, const ValidationOptions& options, Report& report) {
  if (!event.has_occurred_at()) return report.Add("occurred_at", "is required");
  const google::protobuf::Timestamp& at = event.occurred_at();
  if (at.nanos() < 0 || at.nanos() > 999'999'999) {
    return report.Add("occurred_at.nanos", "must be between 0 and 999999999");
  }
  auto now =
      options.now == std::chrono::system_clock::time_point{} ? std::chrono::system_clock::now() : options.now;
  std::pair<int64_t, int32_t> occurred{at.seconds(), at.nanos()};
  if (occurred > SecondsAndNanos(now + options.max_future)) {
    report.Add("occurred_at",
               absl::StrCat("is more than ", DescribeSpan(options.max_future), " in the future"));
  } else if (occurred < SecondsAndNanos(now - options.max_age)) {
    report.Add("occurred_at", absl::StrCat("is more than ", DescribeSpan(options.max_age), " in the past"));
  }
}

void CheckAmount(v1::Interaction& event, bool required, Report& report) {
  if (!event.has_amount()) {
    if (required) report.Add("amount", RequiredFor(event.type()));
    return;
  }
  v1::Money& amount = *event.mutable_amount();
  if (amount.amount_minor() < 0) report.Add("amount.amount_minor", "must not be negative");
  std::string& currency = *amount.mutable_currency();
  absl::StripAsciiWhitespace(&currency);
  absl::AsciiStrToUpper(&currency);
  if (currency.empty()) return report.Add("amount.currency", "is required");
  if (!std::binary_search(kCurrencies.begin(), kCurrencies.end(), currency)) {
    report.Add("amount.currency", "is not a known ISO 4217 currency code");
  }
}

void CheckCallTimes(v1::Interaction& event, Report& report) {
  if (event.duration_seconds() > kSecondsPerDay) {
    report.Add("duration_seconds", "must be at most 86400 (24 hours)");
  }
  if (event.wait_seconds() > kSecondsPerDay) {
    report.Add("wait_seconds", "must be at most 86400 (24 hours)");
  }
}

void CheckSurvey(v1::Interaction& event, Report& report) {
  if (!event.has_satisfaction()) report.Add("satisfaction", RequiredFor(event.type()));
}

void CheckFollowUp(v1::Interaction& event, Report& report) {
  if (event.has_follow_up()) absl::StripAsciiWhitespace(event.mutable_follow_up()->mutable_content());
  if (event.follow_up().content().empty()) report.Add("follow_up.content", RequiredFor(event.type()));
}

void CheckComplaintOpened(v1::Interaction& event, Report& report) {
  if (event.has_complaint()) absl::StripAsciiWhitespace(event.mutable_complaint()->mutable_category());
  if (event.complaint().category().empty()) report.Add("complaint.category", RequiredFor(event.type()));
}

void CheckComplaintResolved(v1::Interaction& event, Report& report) {
  if (event.has_complaint()) absl::StripAsciiWhitespace(event.mutable_complaint()->mutable_case_id());
  if (event.complaint().case_id().empty()) report.Add("complaint.case_id", RequiredFor(event.type()));
}

// ISO 3779: 17 characters; I, O and Q are never used (they read as 1 and 0).
bool IsVin(absl::string_view vin) {
  return vin.size() == 17 && std::all_of(vin.begin(), vin.end(), [](char c) {
           return (absl::ascii_isupper(static_cast<unsigned char>(c)) ||
                   absl::ascii_isdigit(static_cast<unsigned char>(c))) &&
                  c != 'I' && c != 'O' && c != 'Q';
         });
}

// "京A·12345", "京a 12345" and "京A-12345" are the same plate.
void NormalizePlate(std::string* plate) {
  absl::StripAsciiWhitespace(plate);
  absl::AsciiStrToUpper(plate);
  *plate = absl::StrReplaceAll(*plate, {{" ", ""}, {"-", ""}, {"·", ""}});
}

void CheckStoreVisit(v1::Interaction& event, Report& report) {
  if (event.has_store_visit()) {
    v1::StoreVisitDetail& visit = *event.mutable_store_visit();
    absl::StripAsciiWhitespace(visit.mutable_vin());
    absl::AsciiStrToUpper(visit.mutable_vin());
    NormalizePlate(visit.mutable_plate());
  }
  const v1::StoreVisitDetail& visit = event.store_visit();
  if (visit.vin().empty() && visit.plate().empty()) {
    return report.Add("store_visit", "needs a vin or a plate");
  }
  if (!visit.vin().empty() && !IsVin(visit.vin())) {
    report.Add("store_visit.vin", "must be 17 letters and digits without I, O or Q");
  }
}

using TypeCheck = void (*)(v1::Interaction& event, Report& report);

struct TypeRule {
  v1::InteractionType type;
  // Filled in when the sender leaves the channel unspecified.
  v1::Channel default_channel;
  // The one detail the type takes; DETAIL_NOT_SET when it takes none.
  v1::Interaction::DetailCase detail;
  bool needs_amount;
  TypeCheck check;  // null when the type has no rules beyond the table
};

using Event = v1::Interaction;
constexpr TypeRule kTypeRules[] = {
    {v1::INTERACTION_TYPE_CALL_INBOUND, v1::CHANNEL_PHONE, Event::kCall, false, CheckCallTimes},
    {v1::INTERACTION_TYPE_CALL_OUTBOUND, v1::CHANNEL_PHONE, Event::kCall, false, CheckCallTimes},
    {v1::INTERACTION_TYPE_CALL_MISSED, v1::CHANNEL_PHONE, Event::kCall, false, CheckCallTimes},
    {v1::INTERACTION_TYPE_CALL_CALLBACK, v1::CHANNEL_PHONE, Event::kCall, false, CheckCallTimes},
    {v1::INTERACTION_TYPE_WEB_PAGE_VIEW, v1::CHANNEL_WEB, Event::kWeb, false, nullptr},
    {v1::INTERACTION_TYPE_WEB_FORM_SUBMIT, v1::CHANNEL_WEB, Event::kWeb, false, nullptr},
    {v1::INTERACTION_TYPE_WEB_CHAT, v1::CHANNEL_CHAT, Event::kWeb, false, nullptr},
    {v1::INTERACTION_TYPE_WEB_IDENTIFY, v1::CHANNEL_WEB, Event::kWeb, false, nullptr},
    {v1::INTERACTION_TYPE_ORDER_PLACED, v1::CHANNEL_WEB, Event::kOrder, true, nullptr},
    {v1::INTERACTION_TYPE_ORDER_REFUNDED, v1::CHANNEL_WEB, Event::kOrder, true, nullptr},
    {v1::INTERACTION_TYPE_QUOTE_SENT, v1::CHANNEL_SALES, Event::kQuote, true, nullptr},
    {v1::INTERACTION_TYPE_QUOTE_ACCEPTED, v1::CHANNEL_SALES, Event::kQuote, true, nullptr},
    {v1::INTERACTION_TYPE_QUOTE_REJECTED, v1::CHANNEL_SALES, Event::kQuote, true, nullptr},
    {v1::INTERACTION_TYPE_COMPLAINT_OPENED, v1::CHANNEL_PHONE, Event::kComplaint, false,
     CheckComplaintOpened},
    {v1::INTERACTION_TYPE_COMPLAINT_RESOLVED, v1::CHANNEL_PHONE, Event::kComplaint, false,
     CheckComplaintResolved},
    {v1::INTERACTION_TYPE_GRUMBLE, v1::CHANNEL_PHONE, Event::kComplaint, false, nullptr},
    {v1::INTERACTION_TYPE_SUGGESTION, v1::CHANNEL_PHONE, Event::kComplaint, false, nullptr},
    {v1::INTERACTION_TYPE_SURVEY_ANSWERED, v1::CHANNEL_PHONE, Event::DETAIL_NOT_SET, false, CheckSurvey},
    {v1::INTERACTION_TYPE_FOLLOW_UP, v1::CHANNEL_SALES, Event::kFollowUp, false, CheckFollowUp},
    {v1::INTERACTION_TYPE_STORE_VISIT, v1::CHANNEL_STORE, Event::kStoreVisit, false, CheckStoreVisit},
};

const TypeRule* CheckType(const v1::Interaction& event, Report& report) {
  if (event.type() == v1::INTERACTION_TYPE_UNSPECIFIED) {
    report.Add("type", "is required");
    return nullptr;
  }
  auto rule = std::find_if(std::begin(kTypeRules), std::end(kTypeRules),
                           [&](const TypeRule& r) { return r.type == event.type(); });
  if (rule != std::end(kTypeRules)) return rule;
  report.Add("type", absl::StrCat("is not a known interaction type: ", event.type()));
  return nullptr;
}

// Any channel is accepted for any type: a complaint may come by phone, web or in a store.
void CheckChannel(v1::Interaction& event, const TypeRule* rule, Report& report) {
  if (!v1::Channel_IsValid(event.channel())) {
    return report.Add("channel", absl::StrCat("is not a known channel: ", event.channel()));
  }
  if (event.channel() == v1::CHANNEL_UNSPECIFIED && rule != nullptr) event.set_channel(rule->default_channel);
}

const std::string& DetailName(v1::Interaction::DetailCase detail) {
  return v1::Interaction::descriptor()->FindFieldByNumber(detail)->name();
}

void CheckDetailKind(const v1::Interaction& event, const TypeRule& rule, Report& report) {
  if (event.detail_case() == v1::Interaction::DETAIL_NOT_SET || event.detail_case() == rule.detail) return;
  const std::string& type = v1::InteractionType_Name(rule.type);
  const std::string& got = DetailName(event.detail_case());
  if (rule.detail == v1::Interaction::DETAIL_NOT_SET) {
    return report.Add("detail", absl::StrCat("must be empty for ", type, ", got ", got));
  }
  report.Add("detail", absl::StrCat("must be ", DetailName(rule.detail), " for ", type, ", got ", got));
}

void CheckSize(const v1::Interaction& event, const ValidationOptions& options, Report& report) {
  size_t size = event.ByteSizeLong();
  if (size <= options.max_event_bytes) return;
  report.Add("", absl::StrCat("is ", size, " bytes serialized; the limit is ", options.max_event_bytes));
}

}  // namespace

std::vector<v1::FieldViolation> ValidateAndNormalize(v1::Interaction& event, const ValidationOptions& options,
                                                     const std::string& path) {
  std::vector<v1::FieldViolation> out;
  Report report(path, out);
  CheckTexts(event, "", options.max_string_bytes, report);
  CheckAttributes(event, options, report);
  CheckEventId(event.event_id(), report);
  CheckCustomer(*event.mutable_customer(), options, report);
  const TypeRule* rule = CheckType(event, report);
  CheckChannel(event, rule, report);
  CheckOccurredAt(event, options, report);
  CheckAmount(event, rule != nullptr && rule->needs_amount, report);
  if (event.has_satisfaction() && (event.satisfaction() < 1 || event.satisfaction() > 5)) {
    report.Add("satisfaction", "must be between 1 and 5");
  }
  if (rule != nullptr) {
    CheckDetailKind(event, *rule, report);
    if (rule->check != nullptr) rule->check(event, report);
  }
  CheckSize(event, options, report);
  return out;
}

}  // namespace custflow::ingest
