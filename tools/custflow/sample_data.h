// Realistic sample customers and their interactions for the demo: Chinese company
// names, provinces and cities, industries, sources, owners and teams; calls, web visits,
// quotes, orders, complaints, surveys and follow-ups. Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::tools {

struct SampleData {
  std::vector<v1::Customer> customers;
  std::vector<v1::Interaction> events;  // each names its customer by customer_id
};

// Customer ids and event ids start with `run` so that every run adds new customers and
// events; everything else follows from `seed`.
SampleData GenerateSample(const std::string& run, uint64_t seed, int customers, int events);

}  // namespace custflow::tools
