// What the gRPC and HTTP front ends hand events to. IngestPipeline is the real one; front
// end tests use a fake.
#pragma once

#include <vector>

#include "absl/functional/any_invocable.h"
#include "custflow/v1/ingest.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::ingest {

class EventSubmitter {
 public:
  // Called exactly once per Submit with one result per event, in the order given, from
  // any thread. code 0 means durable (or a duplicate of a durable event: `duplicate`
  // set); otherwise the code (a gRPC status code number) and message say why:
  // INVALID_ARGUMENT with violations, RESOURCE_EXHAUSTED when too much is in flight,
  // UNAVAILABLE when Kafka or Redis could not take it (retry with the same event ids),
  // ABORTED when the same event id is being published by another request right now.
  using Done = absl::AnyInvocable<void(std::vector<v1::EventResult>) &&>;

  virtual ~EventSubmitter() = default;

  // Takes `events` and returns without waiting for the broker; `done` follows. With
  // `indexed_paths`, violation paths read "events[3].customer", else "event.customer".
  virtual void Submit(std::vector<v1::Interaction> events, bool indexed_paths, Done done) = 0;
};

}  // namespace custflow::ingest
