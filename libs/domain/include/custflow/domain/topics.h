// The Kafka topics of DESIGN.md and the consumer groups that read them.
#pragma once

namespace custflow::domain {

inline constexpr const char* kInteractionsTopic = "custflow.interactions.v1";
inline constexpr const char* kCommandsTopic = "custflow.commands.v1";
inline constexpr const char* kProfilesTopic = "custflow.profiles.v1";
inline constexpr const char* kDeadLetterTopic = "custflow.deadletter.v1";

}  // namespace custflow::domain
