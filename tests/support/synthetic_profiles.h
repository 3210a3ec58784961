// Synthetic live profiles, as the profile service would have folded them, for the tagging
// convergence test and the tagging benchmark. Industries, enterprise types and sizes and
// provinces (with their cities) come from data/vocabulary; order counts and amounts,
// quarters, follow-ups, response times, quote rejections, complaints, ratings and custom
// fields are spread so that every tier of the default rules occurs (low to strategic
// value, fast and slow responders, price-sensitive customers, each lifecycle class and
// grade). Profile i is a pure function of the options and i, so runs are reproducible and
// any thread can make any profile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "custflow/domain/vocabulary.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::testing {

struct SyntheticProfileOptions {
  uint64_t seed = 1;
  // Unix seconds the profiles' times are relative to (orders "30 days ago", ...).
  int64_t now = 0;
  // Customer ids read "<id_prefix>-c<index, 10 digits>", so they sort like the indexes.
  std::string id_prefix = "syn";
};

class SyntheticProfileGenerator {
 public:
  explicit SyntheticProfileGenerator(SyntheticProfileOptions options);

  const SyntheticProfileOptions& options() const { return options_; }

  std::string CustomerId(uint64_t index) const;

  // Profile number `index` into `profile` (cleared first, so one message can be reused).
  void Generate(uint64_t index, v1::Profile& profile) const;
  v1::Profile Generate(uint64_t index) const;

 private:
  class Random;
  // A calendar quarter (UTC) of the order history: its first second and its key
  // ("2026-Q3", as the profile fold keys orders_by_quarter).
  struct Quarter {
    int64_t start;
    std::string key;
  };

  static int64_t QuarterStart(int64_t seconds);
  size_t QuarterOf(int64_t seconds) const;
  void FillMasterData(Random& random, uint64_t index, v1::Customer& customer) const;
  void AddOrders(Random& random, v1::Profile& profile) const;
  void AddFollowUps(Random& random, v1::Profile& profile) const;
  void AddService(Random& random, v1::Profile& profile) const;
  void AddCustomFields(Random& random, bool buyer, v1::Customer& customer) const;

  SyntheticProfileOptions options_;
  std::vector<std::string> industries_;
  std::vector<std::string> enterprise_types_;
  std::vector<std::string> enterprise_sizes_;
  std::vector<std::string> provinces_;
  std::vector<domain::KnownCity> cities_;
  std::vector<Quarter> quarters_;  // oldest first
};

}  // namespace custflow::testing
