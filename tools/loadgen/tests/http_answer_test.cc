#include "tools/loadgen/http_answer.h"

#include <gtest/gtest.h>

namespace custflow::loadgen {
namespace {

TEST(HttpAnswer, ReadsIngestsResultsWithCodeNamesAndViolationsByEventId) {
  HttpAnswer answer = ParseHttpAnswer(400, R"({
      "results": [
        {"index": 0, "event_id": "e1", "stored": true, "customer_id": "c1", "duplicate": true},
        {"index": 1, "event_id": "e2", "stored": false, "code": "INVALID_ARGUMENT", "message": "invalid event"},
        {"index": 2, "event_id": "e3", "stored": false, "code": "UNAVAILABLE", "message": "Kafka is down"}],
      "errors": [{"index": 1, "event_id": "e2", "field": "events[1].type", "description": "is required"}]})");
  ASSERT_EQ(answer.results.size(), 3);
  EXPECT_EQ(answer.results[0].event_id(), "e1");
  EXPECT_EQ(answer.results[0].code(), 0);
  EXPECT_TRUE(answer.results[0].duplicate());
  EXPECT_EQ(answer.results[1].code(), 3);
  EXPECT_EQ(answer.results[1].message(), "invalid event");
  ASSERT_EQ(answer.results[1].violations_size(), 1);
  EXPECT_EQ(answer.results[1].violations(0).field(), "events[1].type");
  EXPECT_EQ(answer.results[2].code(), 14);
  EXPECT_EQ(answer.code, 3);
}

TEST(HttpAnswer, ReadsTheProtobufJsonMappingOfEventResultToo) {
  HttpAnswer answer = ParseHttpAnswer(
      200, R"({"results":[{"eventId":"e1","code":0,"duplicate":true},{"eventId":"e2","code":3}]})");
  ASSERT_EQ(answer.results.size(), 2);
  EXPECT_TRUE(answer.results[0].duplicate());
  EXPECT_EQ(answer.results[0].code(), 0);
  EXPECT_EQ(answer.results[1].event_id(), "e2");
  EXPECT_EQ(answer.results[1].code(), 3);
}

TEST(HttpAnswer, ReadsABareArrayOfResults) {
  HttpAnswer answer = ParseHttpAnswer(503, R"([{"event_id":"e1","stored":false}])");
  ASSERT_EQ(answer.results.size(), 1);
  EXPECT_EQ(answer.results[0].code(), 14);  // no code of its own: the request's status says why
}

TEST(HttpAnswer, ARequestLevelRejectionCarriesTheStatusAndTheServersErrors) {
  HttpAnswer answer = ParseHttpAnswer(
      413,
      R"({"errors":[{"field":"body","description":"the body holds 1200 events; at most 1000 are accepted"}]})");
  EXPECT_TRUE(answer.results.empty());
  EXPECT_EQ(answer.code, 8);
  EXPECT_EQ(answer.message, "HTTP 413: body: the body holds 1200 events; at most 1000 are accepted");
}

TEST(HttpAnswer, AnErrorStringIsTheServersText) {
  HttpAnswer answer = ParseHttpAnswer(404, R"({"error":"no such endpoint"})");
  EXPECT_EQ(answer.code, 12);
  EXPECT_EQ(answer.message, "HTTP 404: no such endpoint");
}

TEST(HttpAnswer, QuotesAPlainBodyShortened) {
  HttpAnswer answer = ParseHttpAnswer(503, std::string(1000, 'x'));
  EXPECT_EQ(answer.code, 14);
  EXPECT_EQ(answer.message.size(), std::string("HTTP 503: ").size() + 300 + 3);
}

TEST(HttpAnswer, QuotesAPlainBodyWithoutItsTrailingNewline) {
  EXPECT_EQ(ParseHttpAnswer(404, "no route for POST /v1/events\n").message,
            "HTTP 404: no route for POST /v1/events");
}

TEST(HttpAnswer, ASuccessWithoutResultsHasCodeZero) {
  HttpAnswer answer = ParseHttpAnswer(202, "");
  EXPECT_EQ(answer.code, 0);
  EXPECT_TRUE(answer.message.empty());
}

struct StatusCase {
  long http;
  int grpc;
};

class HttpStatusMapping : public ::testing::TestWithParam<StatusCase> {};

TEST_P(HttpStatusMapping, MapsToTheGrpcCodeOfTheSameMeaning) {
  EXPECT_EQ(GrpcCodeForHttpStatus(GetParam().http), GetParam().grpc) << GetParam().http;
}

INSTANTIATE_TEST_SUITE_P(Statuses, HttpStatusMapping,
                         ::testing::Values(StatusCase{200, 0}, StatusCase{204, 0}, StatusCase{400, 3},
                                           StatusCase{401, 16}, StatusCase{403, 7}, StatusCase{404, 12},
                                           StatusCase{405, 12}, StatusCase{408, 4}, StatusCase{409, 10},
                                           StatusCase{413, 8}, StatusCase{429, 8}, StatusCase{500, 2},
                                           StatusCase{501, 12}, StatusCase{502, 14}, StatusCase{503, 14},
                                           StatusCase{504, 4}, StatusCase{418, 2}));

}  // namespace
}  // namespace custflow::loadgen
