#include "services/ingest/ingest_service.h"

#include <gtest/gtest.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace custflow::ingest {
namespace {

TEST(StatusForResult, InvalidEventCarriesBadRequestDetailsNamingEachField) {
  v1::EventResult result;
  result.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  result.set_message("invalid event");
  v1::FieldViolation* phone = result.add_violations();
  phone->set_field("event.customer.phone");
  phone->set_description("is not a phone number");
  v1::FieldViolation* type = result.add_violations();
  type->set_field("event.type");
  type->set_description("is required");

  grpc::Status status = StatusForResult(result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "invalid event; event.customer.phone: is not a phone number; event.type: is required");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(status.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  ASSERT_EQ(bad_request.field_violations_size(), 2);
  EXPECT_EQ(bad_request.field_violations(0).field(), "event.customer.phone");
  EXPECT_EQ(bad_request.field_violations(1).description(), "is required");
}

TEST(StatusForResult, UnavailableCarriesTheReasonWithoutDetails) {
  v1::EventResult result;
  result.set_code(grpc::StatusCode::UNAVAILABLE);
  result.set_message("Kafka did not confirm the event");
  grpc::Status status = StatusForResult(result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "Kafka did not confirm the event");
  EXPECT_TRUE(status.error_details().empty());
}

}  // namespace
}  // namespace custflow::ingest
