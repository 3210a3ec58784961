#include "custflow/domain/profile_fold.h"

#include <google/protobuf/util/field_mask_util.h>

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

void KeepEarliest(Timestamp* field, const Timestamp& candidate) {
  if (field->seconds() == 0 && field->nanos() == 0) {
    *field = candidate;
  } else if (Later(*field, candidate)) {
    *field = candidate;
  }
}

void AddAmount(v1::Profile& profile, const v1::Money& amount, int64_t sign) {
  v1::Money* total = profile.mutable_cumulative_amount();
  if (total->currency().empty()) total->set_currency(amount.currency());
  total->set_amount_minor(total->amount_minor() + sign * amount.amount_minor());
}

void ApplyType(v1::Profile& profile, const v1::Interaction& event) {
  const Timestamp& at = event.occurred_at();
  switch (event.type()) {
    case v1::INTERACTION_TYPE_ORDER_PLACED:
      profile.set_order_count(profile.order_count() + 1);
      AddAmount(profile, event.amount(), +1);
      KeepEarliest(profile.mutable_first_order_at(), at);
      KeepLatest(profile.mutable_last_order_at(), at);
      // A first order wins a potential (or lost) customer.
      profile.mutable_customer()->set_type(v1::CUSTOMER_TYPE_CLOSED);
      break;
    case v1::INTERACTION_TYPE_ORDER_REFUNDED:
      AddAmount(profile, event.amount(), -1);
      break;
    case v1::INTERACTION_TYPE_FOLLOW_UP:
      profile.set_follow_up_count(profile.follow_up_count() + 1);
      KeepLatest(profile.mutable_last_follow_up_at(), at);
      if (event.has_follow_up() && !event.follow_up().stage().empty()) {
        profile.mutable_customer()->set_follow_up_stage(event.follow_up().stage());
      }
      break;
    case v1::INTERACTION_TYPE_COMPLAINT_OPENED:
      profile.set_complaint_count(profile.complaint_count() + 1);
      break;
    case v1::INTERACTION_TYPE_GRUMBLE:
      profile.set_grumble_count(profile.grumble_count() + 1);
      break;
    case v1::INTERACTION_TYPE_STORE_VISIT:
      KeepLatest(profile.mutable_last_store_visit_at(), at);
      break;
    default:
      break;
  }
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
  KeepLatest(profile.mutable_updated_at(), event.occurred_at());
  profile.set_version(profile.version() + 1);
}

void ApplyCommand(v1::Profile& profile, const v1::Command& command) {
  v1::Customer& customer = *profile.mutable_customer();
  switch (command.action_case()) {
    case v1::Command::kUpsert: {
      const v1::UpsertCustomer& upsert = command.upsert();
      if (upsert.update_mask().paths_size() == 0) {
        customer.MergeFrom(upsert.customer());
      } else {
        google::protobuf::util::FieldMaskUtil::MergeMessageTo(upsert.customer(), upsert.update_mask(), {},
                                                              &customer);
      }
      break;
    }
    case v1::Command::kSetTags:
      profile.mutable_tags()->CopyFrom(command.set_tags().tags());
      profile.set_grade(command.set_tags().grade());
      break;
    case v1::Command::kMerge:  // merging is not applied yet: recorded in the log only
    case v1::Command::ACTION_NOT_SET:
      break;
  }
  customer.set_customer_id(profile.customer_id());
  if (customer.type() == v1::CUSTOMER_TYPE_UNSPECIFIED) customer.set_type(v1::CUSTOMER_TYPE_POTENTIAL);
  KeepLatest(profile.mutable_updated_at(), command.issued_at());
  profile.set_version(profile.version() + 1);
}

uint64_t InteractionCount(const v1::Profile& profile) {
  uint64_t total = 0;
  for (const auto& [type, count] : profile.interaction_counts()) total += count;
  return total;
}

}  // namespace custflow::domain
