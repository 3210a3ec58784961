// ReportingService's Findings handler: queries each watched metric for the judged period
// and hands the rows to the pure DetectFindings (findings.h).
#include <chrono>

#include "custflow/core/grpc_status.h"
#include "services/reporting/findings.h"
#include "services/reporting/metrics.h"
#include "services/reporting/reporting_service.h"

namespace custflow::reporting {

grpc::Status ReportingService::Findings(grpc::ServerContext* context, const v1::FindingsRequest* request,
                                        v1::FindingsResponse* response) {
  if (grpc::Status allowed = Authorize(context, "Findings"); !allowed.ok()) return allowed;
  absl::StatusOr<FindingsPlan> plan = PlanFindings(*request, std::chrono::system_clock::now());
  if (!plan.ok()) return core::ToGrpcStatus(plan.status());
  FindingsInput input;
  input.granularity = plan->granularity;
  input.period_start = plan->period_start;
  input.breakdowns = plan->breakdowns;
  for (const std::string& metric_id : plan->metric_ids) {
    absl::StatusOr<v1::MetricQueryResponse> result =
        reporting::QueryMetric(client_, FindingsMetricRequest(*plan, metric_id));
    if (!result.ok()) return core::ToGrpcStatus(result.status());
    input.metrics.push_back({std::move(*result->mutable_metric()),
                             {std::make_move_iterator(result->mutable_rows()->begin()),
                              std::make_move_iterator(result->mutable_rows()->end())}});
  }
  *response = DetectFindings(input, plan->rules);
  return grpc::Status::OK;
}

}  // namespace custflow::reporting
