// Folds interactions and commands into a customer's live profile. Pure: the profile
// service feeds it messages in partition order and stores the result.
#pragma once

#include <string>
#include <string_view>

#include "custflow/v1/command.pb.h"
#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::domain {

// Applies one interaction to `profile` (whose customer_id is the event's canonical id)
// and bumps its version.
void ApplyInteraction(v1::Profile& profile, const v1::Interaction& event);

// Applies one command to `profile` and bumps its version; returns false, changing
// nothing, when the command has no effect (a merge of an id already merged, an absorb of
// an id already absorbed, a set-tags giving the tags and grade the profile has), so the
// caller has nothing to store or publish. An upsert writes the fields of its mask (every
// non-empty field when the mask is empty; lists and maps are replaced, not appended);
// set-tags replaces tags (stored sorted) and grade and records in `tag_change` the tags
// added and removed, with their rules, for the new version; a merge marks the profile
// merged into the survivor (the caller then sends the survivor an absorb); an absorb
// folds the merged profile into this one; a forwarded interaction is applied like any
// other. An erase clears the personal data (names, phone, e-mail, notes, needs, custom
// fields, vehicles, values as entered, identities, follow-up texts) and sets erased_at;
// later interactions then add no identities or follow-up texts. An upsert, merge,
// absorb or erase that changes master data (customer, merged_into, merged_ids,
// identities, recent follow-ups) records in `master_change` each changed field's old and
// new value ("(erased)" for the old value of what an erase cleared) with the command's
// actor, origin and id, for the new version.
bool ApplyCommand(v1::Profile& profile, const v1::Command& command);

// The origin of an erase command, and so of the master change it makes: the reporting
// sink knows the snapshot an erase made by it.
inline constexpr std::string_view kEraseOrigin = "EraseCustomer";

// Folds `merged`'s history into `survivor`: counters add up (amounts, in total and per
// quarter, only when both are in the same currency), first and last times take the
// earlier and the later, master data fields empty in the survivor are filled from the
// merged one, and the merged id (with the ids it had absorbed) joins `merged_ids`.
void AbsorbProfile(v1::Profile& survivor, const v1::Profile& merged);

// "2026-Q3": the calendar quarter (UTC) of `seconds` since the epoch.
std::string QuarterKey(int64_t seconds);

// Total interactions of every type.
uint64_t InteractionCount(const v1::Profile& profile);

}  // namespace custflow::domain
