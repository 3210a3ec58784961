// Realistic synthetic customers and their interactions for the demo, the tests and the
// load generator: Chinese and English company names, contact persons, phones, e-mails,
// provinces / cities / districts, industries, sources, owners with their departments and
// teams; calls, web sessions, quotes, orders, complaints, surveys, follow-ups and store
// visits with their details filled in. Customer j and event i are pure functions of the
// options and of j or i, so a run is reproducible and any thread can make any event.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/interaction.pb.h"

namespace custflow::sample {

struct GeneratorOptions {
  uint64_t seed = 42;
  // Customer ids read "<run>-c<j>" and event ids "<run>-e<i>".
  std::string run = "sample";
  // Number of customers (at least 1 for events to be made).
  int customers = 200;
  // Fraction (0 to 1) of events that name their customer only by an identity, as the
  // channel knows it: calls, store visits and sales by phone, e-mails and web forms by
  // e-mail, web sessions by visitor id. The other events carry the customer id.
  double identity_mix = 0.0;
  // Events occurred within this window before `now`.
  std::chrono::seconds history = std::chrono::hours(24 * 90);
  // The generator's clock: the current time when unset. Pin it for identical output.
  std::chrono::system_clock::time_point now{};
};

class SampleGenerator {
 public:
  explicit SampleGenerator(GeneratorOptions options);

  const GeneratorOptions& options() const { return options_; }
  const std::vector<v1::Customer>& customers() const { return customers_; }

  // Event number `index`; needs at least one customer. Safe to call from any thread.
  v1::Interaction Event(uint64_t index) const;

 private:
  // What events need about a customer beyond its master data.
  struct Traits {
    size_t place;
    std::string visitor_id;
    v1::Vehicle car;
  };

  void AddCustomer(int index);

  GeneratorOptions options_;
  int64_t now_seconds_;
  std::vector<v1::Customer> customers_;
  std::vector<Traits> traits_;
};

struct SampleData {
  std::vector<v1::Customer> customers;
  std::vector<v1::Interaction> events;  // each names its customer by customer_id
};

// `customers` customers and `events` events of run `run` at the current time, every event
// naming its customer by id (no events without customers).
SampleData GenerateSample(const std::string& run, uint64_t seed, int customers, int events);

}  // namespace custflow::sample
