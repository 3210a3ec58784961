#include "tools/loadgen/customer_upload.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "tools/custflow/cli_support.h"
#include "tools/loadgen/run_stats.h"
#include "tools/loadgen/transport.h"

namespace custflow::loadgen {

absl::Status UpsertCustomers(const std::string& target, const std::vector<v1::Customer>& customers,
                             int concurrency, std::chrono::duration<double> timeout) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  absl::Status first_error;
  auto upsert = [&](int worker) {
    auto stub = v1::ProfileService::NewStub(WorkerChannel(target, worker));
    for (size_t i = next++; i < customers.size(); i = next++) {
      grpc::ClientContext rpc;
      rpc.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
      tools::AddCredentials(rpc);
      v1::UpsertCustomerRequest request;
      *request.mutable_customer() = customers[i];
      v1::UpsertCustomerResponse response;
      grpc::Status status = stub->UpsertCustomer(&rpc, request, &response);
      if (status.ok()) continue;
      std::lock_guard lock(mutex);
      if (first_error.ok()) {
        first_error = absl::Status(
            static_cast<absl::StatusCode>(status.error_code()),
            absl::StrCat("upsert of customer ", customers[i].customer_id(), " at ", target,
                         " failed: ", CodeName(status.error_code()), ": ", status.error_message()));
      }
      next = customers.size();  // the others stop too
      return;
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, concurrency); ++i) workers.emplace_back(upsert, i);
  for (std::thread& worker : workers) worker.join();
  return first_error;
}

}  // namespace custflow::loadgen
