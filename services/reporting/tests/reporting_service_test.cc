// ReportingService's gRPC mapping, over a ClickHouse that must not be reached.
#include "services/reporting/reporting_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/reporting/tests/unreachable_clickhouse.h"

namespace custflow::reporting {
namespace {

using ::testing::HasSubstr;

TEST(ReportingServiceTest, DistributionRejectsUnknownDimensionAsInvalidArgument) {
  UnreachableClickHouse clickhouse;
  const auth::RequestAuthenticator open_auth = auth::RequestAuthenticator::Open();
  ReportingService service(clickhouse, open_auth);
  v1::DistributionRequest request;
  v1::DistributionResponse response;

  grpc::Status status = service.Distribution(nullptr, &request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("dimension"));
  EXPECT_FALSE(clickhouse.reached);
}

TEST(ReportingServiceTest, DistributionPassesClickHouseFailureOn) {
  UnreachableClickHouse clickhouse;
  const auth::RequestAuthenticator open_auth = auth::RequestAuthenticator::Open();
  ReportingService service(clickhouse, open_auth);
  v1::DistributionRequest request;
  request.set_dimension(v1::DIMENSION_PROVINCE);
  v1::DistributionResponse response;

  grpc::Status status = service.Distribution(nullptr, &request, &response);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(status.error_message(), HasSubstr("ClickHouse reached"));
}

}  // namespace
}  // namespace custflow::reporting
