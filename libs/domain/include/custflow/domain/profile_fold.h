// Folds interactions and commands into a customer's live profile. Pure: the profile
// service feeds it messages in partition order and stores the result.
#pragma once

#include <string_view>

#include "custflow/v1/command.pb.h"
#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::domain {

// Applies one interaction to `profile` (whose customer_id is the event's canonical id)
// and bumps its version.
void ApplyInteraction(v1::Profile& profile, const v1::Interaction& event);

// Applies one command to `profile` and bumps its version. An upsert writes the fields of
// its mask (every non-empty field when the mask is empty); set-tags replaces tags and
// grade.
void ApplyCommand(v1::Profile& profile, const v1::Command& command);

// Total interactions of every type.
uint64_t InteractionCount(const v1::Profile& profile);

}  // namespace custflow::domain
