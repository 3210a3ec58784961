// The ReportingService gRPC handlers over ClickHouse.
#pragma once

#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/reporting.grpc.pb.h"

namespace custflow::reporting {

class ReportingService final : public v1::ReportingService::Service {
 public:
  explicit ReportingService(clickhouse::ClickHouseClient& client) : client_(client) {}

  grpc::Status Distribution(grpc::ServerContext* context, const v1::DistributionRequest* request,
                            v1::DistributionResponse* response) override;
  grpc::Status ListMetrics(grpc::ServerContext* context, const v1::ListMetricsRequest* request,
                           v1::ListMetricsResponse* response) override;
  grpc::Status QueryMetric(grpc::ServerContext* context, const v1::MetricQueryRequest* request,
                           v1::MetricQueryResponse* response) override;

 private:
  clickhouse::ClickHouseClient& client_;
};

}  // namespace custflow::reporting
