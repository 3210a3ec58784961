#include "custflow/domain/profile_fold.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/domain/identity.h"

namespace custflow::domain {
namespace {

using google::protobuf::Timestamp;

bool Later(const Timestamp& candidate, const Timestamp& current) {
  return candidate.seconds() > current.seconds() ||
         (candidate.seconds() == current.seconds() && candidate.nanos() > current.nanos());
}

void KeepLatest(Timestamp* field, const Timestamp& candidate) {
  if (Later(candidate, *field)) *field = candidate;
}

bool IsSet(const Timestamp& at) { return at.seconds() != 0 || at.nanos() != 0; }

// An unset candidate changes nothing; an unset field takes the candidate.
void KeepEarliest(Timestamp* field, const Timestamp& candidate) {
  if (IsSet(candidate) && (!IsSet(*field) || Later(*field, candidate))) *field = candidate;
}

// Amounts are int64 minor units that ingest bounds only from below, so sums saturate
// instead of overflowing (undefined behaviour) at a sum no real customer reaches.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

// `amount` with `sign` (+1 or -1) applied; the negation of INT64_MIN saturates too.
int64_t Signed(int64_t amount, int64_t sign) {
  if (sign > 0) return amount;
  return amount == INT64_MIN ? INT64_MAX : -amount;
}

void AddAmount(v1::Profile& profile, const v1::Money& amount, int64_t sign) {
  v1::Money* total = profile.mutable_cumulative_amount();
  if (total->currency().empty()) total->set_currency(amount.currency());
  total->set_amount_minor(SaturatingAdd(total->amount_minor(), Signed(amount.amount_minor(), sign)));
}

// An order or refund moves the cumulative amount and the amount of its quarter alike.
void AddOrderAmount(v1::Profile& profile, const v1::Money& amount, int64_t sign, const Timestamp& at) {
  AddAmount(profile, amount, sign);
  if (amount.amount_minor() == 0) return;
  int64_t& quarter = (*profile.mutable_amount_by_quarter())[QuarterKey(at.seconds())];
  quarter = SaturatingAdd(quarter, Signed(amount.amount_minor(), sign));
}

std::vector<std::string> SortedUnique(const google::protobuf::RepeatedPtrField<std::string>& tags) {
  std::vector<std::string> sorted(tags.begin(), tags.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted;
}

// Tags in `from` and not in `without`; both sorted.
std::vector<std::string> Difference(const std::vector<std::string>& from,
                                    const std::vector<std::string>& without) {
  std::vector<std::string> difference;
  std::set_difference(from.begin(), from.end(), without.begin(), without.end(),
                      std::back_inserter(difference));
  return difference;
}

// Replaces tags and grade and records what changed in `tag_change`, for the version this
// command gives the profile. False when tags (as a set) and grade stay as they are, so a
// re-evaluation that agrees with the profile makes no new version, and when the tags were
// computed from another version of the profile: that version's snapshot is evaluated on
// its own, so tags from a replayed or overtaken snapshot never overwrite newer ones.
bool SetTags(v1::Profile& profile, const v1::Command& command) {
  const v1::SetTags& set = command.set_tags();
  if (set.profile_version() != 0 && set.profile_version() != profile.version()) return false;
  std::vector<std::string> tags = SortedUnique(set.tags());
  std::vector<std::string> current = SortedUnique(profile.tags());
  std::vector<std::string> added = Difference(tags, current);
  std::vector<std::string> removed = Difference(current, tags);
  if (added.empty() && removed.empty() && profile.grade() == set.grade()) return false;

  v1::TagChange& change = *profile.mutable_tag_change();
  change.Clear();
  change.set_version(profile.version() + 1);
  *change.mutable_changed_at() = command.issued_at();
  change.set_rules_version(set.rules_version());
  for (const std::vector<std::string>* changed : {&added, &removed}) {
    for (const std::string& tag : *changed) {
      auto rule = set.rules().find(tag);
      if (rule != set.rules().end()) (*change.mutable_rules())[tag] = rule->second;
    }
  }
  change.mutable_added()->Assign(added.begin(), added.end());
  change.mutable_removed()->Assign(removed.begin(), removed.end());
  profile.mutable_tags()->Assign(tags.begin(), tags.end());
  profile.set_grade(set.grade());
  return true;
}

// Sorts `items` oldest first by `at` (ties keep their order) and keeps the newest `limit`.
template <typename Items, typename At>
void KeepNewest(Items& items, int limit, At at) {
  std::stable_sort(items.begin(), items.end(),
                   [&](const auto& a, const auto& b) { return Later(at(b), at(a)); });
  if (items.size() > limit) items.DeleteSubrange(0, items.size() - limit);
}

void KeepRecentRejections(v1::Profile& profile) {
  KeepNewest(*profile.mutable_recent_quote_rejections(), 10,
             [](const Timestamp& at) -> const Timestamp& { return at; });
}

void KeepRecentFollowUps(v1::Profile& profile) {
  KeepNewest(*profile.mutable_recent_follow_ups(), 10,
             [](const v1::FollowUpRecord& record) -> const Timestamp& { return record.occurred_at(); });
}

// Contacts the customer started, which the business should answer.
bool AwaitsResponse(v1::InteractionType type) {
  switch (type) {
    case v1::INTERACTION_TYPE_CALL_INBOUND:
    case v1::INTERACTION_TYPE_CALL_MISSED:
    case v1::INTERACTION_TYPE_WEB_FORM_SUBMIT:
    case v1::INTERACTION_TYPE_WEB_CHAT:
    case v1::INTERACTION_TYPE_COMPLAINT_OPENED:
    case v1::INTERACTION_TYPE_GRUMBLE:
    case v1::INTERACTION_TYPE_SUGGESTION:
      return true;
    default:
      return false;
  }
}

// Contacts by the business that answer what the customer started.
bool Responds(v1::InteractionType type) {
  switch (type) {
    case v1::INTERACTION_TYPE_CALL_OUTBOUND:
    case v1::INTERACTION_TYPE_CALL_CALLBACK:
    case v1::INTERACTION_TYPE_FOLLOW_UP:
    case v1::INTERACTION_TYPE_QUOTE_SENT:
    case v1::INTERACTION_TYPE_COMPLAINT_RESOLVED:
      return true;
    default:
      return false;
  }
}

constexpr int kRememberedIdentities = 20;

// Keeps the identities the event names, newest last, so the index points them here.
void RememberIdentities(v1::Profile& profile, const v1::CustomerRef& ref) {
  auto* identities = profile.mutable_identities();
  for (const Identity& identity : ReferenceIdentities(ref)) {
    std::string key = identity.Key();
    auto it = std::find(identities->begin(), identities->end(), key);
    if (it != identities->end()) continue;
    identities->Add(std::move(key));
  }
  if (identities->size() > kRememberedIdentities) {
    identities->DeleteSubrange(0, identities->size() - kRememberedIdentities);
  }
}

void ApplyResponse(v1::Profile& profile, const v1::Interaction& event) {
  const Timestamp& at = event.occurred_at();
  if (AwaitsResponse(event.type())) {
    KeepEarliest(profile.mutable_awaiting_response_since(), at);
  } else if (Responds(event.type()) && profile.has_awaiting_response_since() &&
             !Later(profile.awaiting_response_since(), at)) {
    uint64_t seconds = static_cast<uint64_t>(at.seconds() - profile.awaiting_response_since().seconds());
    profile.set_response_count(profile.response_count() + 1);
    profile.set_response_seconds_sum(profile.response_seconds_sum() + seconds);
    profile.set_last_response_seconds(seconds);
    profile.clear_awaiting_response_since();
  }
}

void ApplyType(v1::Profile& profile, const v1::Interaction& event) {
  const Timestamp& at = event.occurred_at();
  switch (event.type()) {
    case v1::INTERACTION_TYPE_ORDER_PLACED:
      profile.set_order_count(profile.order_count() + 1);
      AddOrderAmount(profile, event.amount(), +1, at);
      KeepEarliest(profile.mutable_first_order_at(), at);
      KeepLatest(profile.mutable_last_order_at(), at);
      (*profile.mutable_orders_by_quarter())[QuarterKey(at.seconds())] += 1;
      // A first order wins a potential (or lost) customer.
      profile.mutable_customer()->set_type(v1::CUSTOMER_TYPE_CLOSED);
      break;
    case v1::INTERACTION_TYPE_ORDER_REFUNDED:
      AddOrderAmount(profile, event.amount(), -1, at);
      break;
    case v1::INTERACTION_TYPE_FOLLOW_UP: {
      profile.set_follow_up_count(profile.follow_up_count() + 1);
      KeepLatest(profile.mutable_last_follow_up_at(), at);
      v1::FollowUpRecord& record = *profile.add_recent_follow_ups();
      *record.mutable_occurred_at() = at;
      record.set_agent(event.agent());
      // An erased customer's follow-ups keep their stage, not their texts.
      if (!profile.has_erased_at()) *record.mutable_detail() = event.follow_up();
      record.set_event_id(event.event_id());
      KeepRecentFollowUps(profile);
      if (event.has_follow_up() && !event.follow_up().stage().empty()) {
        profile.mutable_customer()->set_follow_up_stage(event.follow_up().stage());
      }
      break;
    }
    case v1::INTERACTION_TYPE_QUOTE_SENT:
      profile.set_quotes_sent(profile.quotes_sent() + 1);
      break;
    case v1::INTERACTION_TYPE_QUOTE_ACCEPTED:
      profile.set_quotes_accepted(profile.quotes_accepted() + 1);
      break;
    case v1::INTERACTION_TYPE_QUOTE_REJECTED:
      profile.set_quotes_rejected(profile.quotes_rejected() + 1);
      *profile.add_recent_quote_rejections() = at;
      KeepRecentRejections(profile);
      break;
    case v1::INTERACTION_TYPE_COMPLAINT_OPENED:
      profile.set_complaint_count(profile.complaint_count() + 1);
      break;
    case v1::INTERACTION_TYPE_COMPLAINT_RESOLVED:
      profile.set_complaint_resolved_count(profile.complaint_resolved_count() + 1);
      break;
    case v1::INTERACTION_TYPE_GRUMBLE:
      profile.set_grumble_count(profile.grumble_count() + 1);
      break;
    case v1::INTERACTION_TYPE_SUGGESTION:
      profile.set_suggestion_count(profile.suggestion_count() + 1);
      break;
    case v1::INTERACTION_TYPE_STORE_VISIT:
      KeepLatest(profile.mutable_last_store_visit_at(), at);
      break;
    default:
      break;
  }
}

// `field` of `message` in the protobuf JSON mapping (`"+86..."`, `{"province":...}`), or
// "" when unset: the message with only that field printed, its key cut off.
std::string FieldJson(const google::protobuf::Message& message,
                      const google::protobuf::FieldDescriptor& field) {
  std::unique_ptr<google::protobuf::Message> only(message.New());
  google::protobuf::FieldMask mask;
  mask.add_paths(field.name());
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(message, mask, {}, only.get());
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*only, &json, options).ok()) return "";
  const std::string key = "{\"" + field.name() + "\":";
  if (!json.starts_with(key) || !json.ends_with("}")) return "";  // "{}": unset
  return json.substr(key.size(), json.size() - key.size() - 1);
}

// Adds to `fields` every field of `fields_of` whose value differs between `before` and
// `after`, in field order.
void AddChangedFields(const google::protobuf::Message& before, const google::protobuf::Message& after,
                      const std::vector<std::string_view>& fields_of,
                      google::protobuf::RepeatedPtrField<v1::FieldChange>& fields) {
  const google::protobuf::Descriptor& descriptor = *before.GetDescriptor();
  for (int i = 0; i < descriptor.field_count(); ++i) {
    const google::protobuf::FieldDescriptor& field = *descriptor.field(i);
    if (!fields_of.empty() && std::find(fields_of.begin(), fields_of.end(), field.name()) == fields_of.end())
      continue;
    std::string old_value = FieldJson(before, field);
    std::string new_value = FieldJson(after, field);
    if (old_value == new_value) continue;
    v1::FieldChange& change = *fields.Add();
    change.set_field(field.name());
    change.set_old_value(std::move(old_value));
    change.set_new_value(std::move(new_value));
  }
}

// The profile fields besides the customer that master-data commands change.
const std::vector<std::string_view> kProfileMasterFields = {"merged_into", "merged_ids", "identities",
                                                            "recent_follow_ups"};

// Records in `profile.master_change` what `command` changed of the master data in
// `before` (the profile before it was applied), unless it changed nothing. An erase keeps
// the cleared values out: their old value reads "(erased)".
void RecordMasterChange(v1::Profile& profile, const v1::Profile& before, const v1::Command& command) {
  google::protobuf::RepeatedPtrField<v1::FieldChange> fields;
  AddChangedFields(before.customer(), profile.customer(), {}, fields);
  AddChangedFields(before, profile, kProfileMasterFields, fields);
  if (fields.empty()) return;
  if (command.has_erase()) {
    for (v1::FieldChange& field : fields) field.set_old_value("(erased)");
  }
  v1::MasterDataChange& change = *profile.mutable_master_change();
  change.set_version(profile.version());
  *change.mutable_changed_at() = command.issued_at();
  change.set_actor(command.actor());
  change.set_origin(command.origin());
  change.set_command_id(command.command_id());
  *change.mutable_fields() = std::move(fields);
}

// Clears the personal data of `profile` and marks it erased; false when it was erased
// with nothing left to clear.
bool Erase(v1::Profile& profile, const Timestamp& at) {
  const std::string before = profile.SerializeAsString();
  v1::Customer& customer = *profile.mutable_customer();
  customer.clear_name();
  customer.clear_contact_person();
  customer.clear_contact_phone();
  customer.clear_email();
  customer.clear_notes();
  customer.clear_needs();
  customer.clear_custom_fields();
  customer.clear_vehicles();
  customer.clear_original_values();
  profile.clear_identities();
  for (v1::FollowUpRecord& record : *profile.mutable_recent_follow_ups()) {
    const std::string stage = record.detail().stage();
    record.clear_detail();
    if (!stage.empty()) record.mutable_detail()->set_stage(stage);
  }
  if (profile.has_erased_at() && profile.SerializeAsString() == before) return false;
  if (!profile.has_erased_at()) *profile.mutable_erased_at() = at;
  return true;
}

}  // namespace

void ApplyInteraction(v1::Profile& profile, const v1::Interaction& event) {
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_customer_id(profile.customer_id());
  if (customer.type() == v1::CUSTOMER_TYPE_UNSPECIFIED) customer.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  KeepEarliest(customer.mutable_first_contact_at(), event.occurred_at());

  (*profile.mutable_interaction_counts())[v1::InteractionType_Name(event.type())] += 1;
  KeepLatest(profile.mutable_last_interaction_at(), event.occurred_at());
  if (event.has_satisfaction()) {
    profile.set_satisfaction_count(profile.satisfaction_count() + 1);
    profile.set_satisfaction_sum(profile.satisfaction_sum() + event.satisfaction());
  }
  ApplyType(profile, event);
  ApplyResponse(profile, event);
  if (!profile.has_erased_at()) RememberIdentities(profile, event.customer());
  KeepLatest(profile.mutable_updated_at(), event.occurred_at());
  profile.set_version(profile.version() + 1);
}

bool ApplyCommand(v1::Profile& profile, const v1::Command& command) {
  const bool master_data =
      command.has_upsert() || command.has_merge() || command.has_absorb() || command.has_erase();
  v1::Profile before;
  if (master_data) {
    *before.mutable_customer() = profile.customer();
    before.set_merged_into(profile.merged_into());
    *before.mutable_merged_ids() = profile.merged_ids();
    *before.mutable_identities() = profile.identities();
    *before.mutable_recent_follow_ups() = profile.recent_follow_ups();
  }
  switch (command.action_case()) {
    case v1::Command::kUpsert: {
      const v1::UpsertCustomer& upsert = command.upsert();
      google::protobuf::FieldMask mask = upsert.update_mask();
      if (mask.paths_size() == 0) {
        std::vector<const google::protobuf::FieldDescriptor*> set;
        upsert.customer().GetReflection()->ListFields(upsert.customer(), &set);
        for (const google::protobuf::FieldDescriptor* field : set) mask.add_paths(field->name());
      }
      google::protobuf::util::FieldMaskUtil::MergeOptions options;
      options.set_replace_repeated_fields(true);
      google::protobuf::util::FieldMaskUtil::MergeMessageTo(upsert.customer(), mask, options,
                                                            profile.mutable_customer());
      break;
    }
    case v1::Command::kSetTags:
      if (!SetTags(profile, command)) return false;
      break;
    case v1::Command::kMerge:
      if (!profile.merged_into().empty()) return false;
      profile.set_merged_into(command.merge().survivor_id());
      break;
    case v1::Command::kAbsorb: {
      const v1::Profile& merged = command.absorb().merged();
      const auto& ids = profile.merged_ids();
      if (std::find(ids.begin(), ids.end(), merged.customer_id()) != ids.end()) return false;
      AbsorbProfile(profile, merged);
      break;
    }
    case v1::Command::kForwarded:
      ApplyInteraction(profile, command.forwarded().interaction());
      return true;  // ApplyInteraction kept the times and the version
    case v1::Command::kErase:
      if (!Erase(profile, command.issued_at())) return false;
      break;
    case v1::Command::ACTION_NOT_SET:
      break;
  }
  v1::Customer& customer = *profile.mutable_customer();
  customer.set_customer_id(profile.customer_id());
  if (customer.type() == v1::CUSTOMER_TYPE_UNSPECIFIED) customer.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  KeepLatest(profile.mutable_updated_at(), command.issued_at());
  profile.set_version(profile.version() + 1);
  if (master_data) RecordMasterChange(profile, before, command);
  return true;
}

void AbsorbProfile(v1::Profile& survivor, const v1::Profile& merged) {
  v1::Customer customer = merged.customer();
  customer.MergeFrom(survivor.customer());  // the survivor's values win where it has them
  customer.mutable_vehicles()->CopyFrom(survivor.customer().vehicles());
  customer.mutable_vehicles()->MergeFrom(merged.customer().vehicles());
  // Only a set time is kept: mutable_ would mark an unknown first contact as 1970.
  if (IsSet(merged.customer().first_contact_at()))
    KeepEarliest(customer.mutable_first_contact_at(), merged.customer().first_contact_at());
  if (merged.order_count() > 0) customer.set_type(v1::CUSTOMER_TYPE_CLOSED);
  *survivor.mutable_customer() = std::move(customer);

  for (const auto& [type, count] : merged.interaction_counts())
    (*survivor.mutable_interaction_counts())[type] += count;
  for (const auto& [quarter, count] : merged.orders_by_quarter()) {
    (*survivor.mutable_orders_by_quarter())[quarter] += count;
  }
  if (survivor.cumulative_amount().currency().empty() ||
      survivor.cumulative_amount().currency() == merged.cumulative_amount().currency()) {
    AddAmount(survivor, merged.cumulative_amount(), +1);
    for (const auto& [quarter, amount] : merged.amount_by_quarter()) {
      int64_t& sum = (*survivor.mutable_amount_by_quarter())[quarter];
      sum = SaturatingAdd(sum, amount);
    }
  }
  survivor.set_order_count(survivor.order_count() + merged.order_count());
  KeepEarliest(survivor.mutable_first_order_at(), merged.first_order_at());
  KeepLatest(survivor.mutable_last_order_at(), merged.last_order_at());
  KeepLatest(survivor.mutable_last_interaction_at(), merged.last_interaction_at());
  KeepLatest(survivor.mutable_last_follow_up_at(), merged.last_follow_up_at());
  KeepLatest(survivor.mutable_last_store_visit_at(), merged.last_store_visit_at());
  survivor.set_follow_up_count(survivor.follow_up_count() + merged.follow_up_count());
  survivor.set_satisfaction_count(survivor.satisfaction_count() + merged.satisfaction_count());
  survivor.set_satisfaction_sum(survivor.satisfaction_sum() + merged.satisfaction_sum());
  survivor.set_complaint_count(survivor.complaint_count() + merged.complaint_count());
  survivor.set_complaint_resolved_count(survivor.complaint_resolved_count() +
                                        merged.complaint_resolved_count());
  survivor.set_grumble_count(survivor.grumble_count() + merged.grumble_count());
  survivor.set_suggestion_count(survivor.suggestion_count() + merged.suggestion_count());
  survivor.set_response_count(survivor.response_count() + merged.response_count());
  survivor.set_response_seconds_sum(survivor.response_seconds_sum() + merged.response_seconds_sum());
  if (survivor.response_count() == merged.response_count()) {
    survivor.set_last_response_seconds(merged.last_response_seconds());
  }
  if (merged.has_awaiting_response_since()) {
    KeepEarliest(survivor.mutable_awaiting_response_since(), merged.awaiting_response_since());
  }
  survivor.set_quotes_sent(survivor.quotes_sent() + merged.quotes_sent());
  survivor.set_quotes_accepted(survivor.quotes_accepted() + merged.quotes_accepted());
  survivor.set_quotes_rejected(survivor.quotes_rejected() + merged.quotes_rejected());
  survivor.mutable_recent_quote_rejections()->MergeFrom(merged.recent_quote_rejections());
  survivor.mutable_recent_follow_ups()->MergeFrom(merged.recent_follow_ups());
  KeepRecentFollowUps(survivor);
  KeepRecentRejections(survivor);
  survivor.add_merged_ids(merged.customer_id());
  survivor.mutable_merged_ids()->MergeFrom(merged.merged_ids());
}

std::string QuarterKey(int64_t seconds) {
  std::time_t time = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return std::to_string(utc.tm_year + 1900) + "-Q" + std::to_string(utc.tm_mon / 3 + 1);
}

uint64_t InteractionCount(const v1::Profile& profile) {
  uint64_t total = 0;
  for (const auto& [type, count] : profile.interaction_counts()) total += count;
  return total;
}

}  // namespace custflow::domain
