// --upsert-customers: the generated customers go to ProfileService.UpsertCustomer before
// any event, so that events find master data (owners, regions) to count against.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "custflow/v1/customer.pb.h"

namespace custflow::loadgen {

// Upserts every customer with `concurrency` parallel callers; the first failure ends it,
// named by customer id and with the server's message.
absl::Status UpsertCustomers(const std::string& target, const std::vector<v1::Customer>& customers,
                             int concurrency, std::chrono::duration<double> timeout);

}  // namespace custflow::loadgen
