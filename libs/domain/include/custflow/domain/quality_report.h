// The data quality report: completeness of the key fields, the missing-data list by owner
// and duplicate counts, built from profiles one at a time so that a whole customer base
// never has to be held as profiles. Pure; the profile service feeds it from Redis.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "custflow/v1/customer.pb.h"
#include "custflow/v1/profile.pb.h"

namespace custflow::domain {

// The share of customers with every key field filled that the report aims at (DOMAIN §2).
inline constexpr double kCompletenessTargetPercent = 95;

class QualityReportBuilder {
 public:
  // `default_region` reads phone numbers without a country code for duplicate detection.
  explicit QualityReportBuilder(std::string default_region = "CN");

  // Counts `profile`'s customer; a merged-away profile (`merged_into` set) is skipped.
  void Add(const v1::Profile& profile);

  // The report over everything added. Rates are x 100 / customers, 0 when there are none.
  v1::QualityReportResponse Build() const;

 private:
  std::string default_region_;
  uint64_t customers_ = 0;
  uint64_t complete_ = 0;
  // Customers with each key field filled, in KeyFields order.
  std::vector<uint64_t> filled_;
  // Incomplete customers by owner, then id: both orders come from the maps.
  std::map<std::string, std::map<std::string, v1::MissingRecord>> missing_by_owner_;
  // Only the id, name and phone of each customer, which is all duplicate detection reads.
  std::vector<v1::Customer> identities_;
};

}  // namespace custflow::domain
