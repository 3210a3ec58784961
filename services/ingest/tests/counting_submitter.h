// A submitter that stores every event at once and counts them, so a test can show that a
// refused request never reached the pipeline.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>
#include <vector>

#include "services/ingest/event_submitter.h"

namespace custflow::ingest {

class CountingSubmitter final : public EventSubmitter {
 public:
  void Submit(std::vector<v1::Interaction> events, bool, Done done) override {
    submitted_ += events.size();
    std::vector<v1::EventResult> results(events.size());
    for (size_t i = 0; i < events.size(); ++i) results[i].set_event_id(events[i].event_id());
    std::move(done)(std::move(results));
  }

  size_t submitted() const { return submitted_; }

 private:
  std::atomic<size_t> submitted_ = 0;
};

}  // namespace custflow::ingest
