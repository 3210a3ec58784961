// The ReportingService gRPC handlers over ClickHouse. Every handler first asks the request
// authenticator whether its caller may call it, then answers through Reports (reports.h)
// with the caller's rows only.
#pragma once

#include <string_view>

#include "custflow/auth/request_authenticator.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/reporting.grpc.pb.h"
#include "services/reporting/reports.h"

namespace custflow::reporting {

class ReportingService final : public v1::ReportingService::Service {
 public:
  // `auth` must outlive this object.
  ReportingService(clickhouse::ClickHouseClient& client, const auth::RequestAuthenticator& auth)
      : reports_(client), auth_(auth) {}
  // A temporary authenticator would be gone before the first call.
  ReportingService(clickhouse::ClickHouseClient& client, auth::RequestAuthenticator&& auth) = delete;

  grpc::Status Distribution(grpc::ServerContext* context, const v1::DistributionRequest* request,
                            v1::DistributionResponse* response) override;
  grpc::Status ListMetrics(grpc::ServerContext* context, const v1::ListMetricsRequest* request,
                           v1::ListMetricsResponse* response) override;
  grpc::Status QueryMetric(grpc::ServerContext* context, const v1::MetricQueryRequest* request,
                           v1::MetricQueryResponse* response) override;
  grpc::Status Findings(grpc::ServerContext* context, const v1::FindingsRequest* request,
                        v1::FindingsResponse* response) override;
  grpc::Status Describe(grpc::ServerContext* context, const v1::DescribeRequest* request,
                        v1::DescribeResponse* response) override;
  grpc::Status Correlate(grpc::ServerContext* context, const v1::CorrelateRequest* request,
                         v1::CorrelateResponse* response) override;
  grpc::Status Pareto(grpc::ServerContext* context, const v1::ParetoRequest* request,
                      v1::ParetoResponse* response) override;
  grpc::Status SatisfactionExtremes(grpc::ServerContext* context,
                                    const v1::SatisfactionExtremesRequest* request,
                                    v1::SatisfactionExtremesResponse* response) override;
  grpc::Status ComplaintAnalysis(grpc::ServerContext* context, const v1::ComplaintAnalysisRequest* request,
                                 v1::ComplaintAnalysisResponse* response) override;
  grpc::Status Rfm(grpc::ServerContext* context, const v1::RfmRequest* request,
                   v1::RfmResponse* response) override;
  grpc::Status Cluster(grpc::ServerContext* context, const v1::ClusterRequest* request,
                       v1::ClusterResponse* response) override;
  grpc::Status ListTemplates(grpc::ServerContext* context, const v1::ListTemplatesRequest* request,
                             v1::ListTemplatesResponse* response) override;
  grpc::Status RenderReport(grpc::ServerContext* context, const v1::RenderReportRequest* request,
                            v1::Report* response) override;
  grpc::Status AuditLog(grpc::ServerContext* context, const v1::AuditLogRequest* request,
                        v1::AuditLogResponse* response) override;

  // The same queries for callers known in-process.
  const Reports& reports() const { return reports_; }

 private:
  // `answer`'s response to the caller of `context` when it may call the rpc `method`
  // ("Distribution"), else UNAUTHENTICATED or PERMISSION_DENIED.
  template <typename Request, typename Response>
  grpc::Status Serve(const grpc::ServerContext* context, std::string_view method, const Request& request,
                     Response* response,
                     absl::StatusOr<Response> (Reports::*answer)(const auth::Principal&, const Request&)
                         const);

  Reports reports_;
  const auth::RequestAuthenticator& auth_;
};

}  // namespace custflow::reporting
