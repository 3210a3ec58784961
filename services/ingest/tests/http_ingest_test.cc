// POST /v1/events end to end over loopback HTTP, with a fake EventSubmitter in place of
// the pipeline: body formats, per-event errors, status mapping, CORS, UTF-8 and bearer
// tokens.
#include "services/ingest/http_ingest.h"

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "custflow/auth/token_digest.h"
#include "custflow/auth/token_store.h"
#include "nlohmann/json.hpp"
#include "tests/http_client.h"

namespace custflow::ingest {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Stores every event, answering from its own thread as the pipeline does once Kafka
// confirmed; `decide` picks each event's result.
class FakeSubmitter : public EventSubmitter {
 public:
  ~FakeSubmitter() override {
    std::lock_guard lock(mutex_);
    for (auto& thread : threads_) thread.join();
  }

  void Submit(std::vector<v1::Interaction> events, bool, Done done) override {
    std::vector<v1::EventResult> results;
    for (const v1::Interaction& event : events) results.push_back(decide(event));
    std::lock_guard lock(mutex_);
    received_.insert(received_.end(), events.begin(), events.end());
    threads_.emplace_back([results = std::move(results), done = std::move(done)]() mutable {
      std::move(done)(std::move(results));
    });
  }

  std::vector<v1::Interaction> Received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

  std::vector<std::string> ReceivedIds() {
    std::vector<std::string> ids;
    for (const v1::Interaction& event : Received()) ids.push_back(event.event_id());
    return ids;
  }

  std::function<v1::EventResult(const v1::Interaction&)> decide = [](const v1::Interaction& event) {
    v1::EventResult result;
    result.set_event_id(event.event_id());
    result.set_customer_id("cu_" + event.event_id());
    return result;
  };

 private:
  std::mutex mutex_;
  std::vector<v1::Interaction> received_;
  std::vector<std::thread> threads_;
};

using core::testing::Reply;
using core::testing::Send;

// A minimal valid web event in the protobuf JSON mapping.
std::string Event(const std::string& id) {
  return absl::StrCat(R"({"event_id":")", id,
                      R"(","channel":"CHANNEL_WEB","type":"INTERACTION_TYPE_WEB_PAGE_VIEW",)",
                      R"("customer":{"visitorId":"v-)", id, R"("}})");
}

std::string Array(const std::vector<std::string>& elements) {
  std::string text = "[";
  for (size_t i = 0; i < elements.size(); ++i) absl::StrAppend(&text, i == 0 ? "" : ",", elements[i]);
  return text + "]";
}

HttpIngestOptions TestOptions() {
  HttpIngestOptions options;
  options.allowed_origins = {"https://shop.example.com"};
  options.max_request_bytes = 4096;
  options.max_events = 5;
  return options;
}

std::vector<std::string> ResultIds(const json& body) {
  std::vector<std::string> ids;
  for (const json& result : body["results"]) ids.push_back(result["event_id"].get<std::string>());
  return ids;
}

class HttpIngestTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(TestOptions()); }

  // Serves the ingest routes in front of the admin routes, as the service does.
  void Start(HttpIngestOptions options) {
    server_.reset();
    ingest_ = std::make_unique<HttpIngest>(submitter_, auth_, std::move(options));
    core::HttpServer::Options server_options;
    server_options.address = "127.0.0.1";
    server_options.threads = 2;
    auto server = core::HttpServer::Start(
        server_options, ingest_->Handler(core::ToAsyncHandler(core::AdminHandler(health_, metrics_))));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::string Url(const std::string& path = "/v1/events") const {
    return absl::StrCat("http://127.0.0.1:", server_->port(), path);
  }

  Reply Post(const std::string& body, const std::string& content_type = "application/json",
             std::vector<std::string> headers = {}) {
    headers.push_back("Content-Type: " + content_type);
    return Send("POST", Url(), body, headers);
  }

  core::Health health_;
  core::MetricsRegistry metrics_;
  FakeSubmitter submitter_;
  // Open unless a test loads tokens before Start.
  auth::RequestAuthenticator auth_ = auth::RequestAuthenticator::Open();
  std::unique_ptr<HttpIngest> ingest_;
  std::unique_ptr<core::HttpServer> server_;
};

struct BodyCase {
  std::string name;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
  std::vector<std::string> ids;
};

class AcceptedBodyTest : public HttpIngestTest, public ::testing::WithParamInterface<BodyCase> {};

TEST_P(AcceptedBodyTest, StoresEveryEventAndAnswersOneResultEachInOrder) {
  const BodyCase& c = GetParam();
  Reply reply =
      Send("POST", Url(), c.body, {"Content-Type:" + (c.content_type.empty() ? "" : " " + c.content_type)});
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("content-type"), "application/json; charset=utf-8");
  json body = reply.Json();
  EXPECT_EQ(ResultIds(body), c.ids);
  for (size_t i = 0; i < c.ids.size(); ++i) {
    EXPECT_EQ(body["results"][i], json({{"index", i},
                                        {"event_id", c.ids[i]},
                                        {"stored", true},
                                        {"customer_id", "cu_" + c.ids[i]},
                                        {"duplicate", false}}));
  }
  EXPECT_FALSE(body.contains("errors"));
  EXPECT_EQ(submitter_.ReceivedIds(), c.ids);
}

const std::string kPrettyObject = "{\n  \"event_id\": \"a\",\n  \"channel\": \"CHANNEL_WEB\"\n}\n";

INSTANTIATE_TEST_SUITE_P(
    ContentTypes, AcceptedBodyTest,
    ::testing::Values(
        BodyCase{"JsonObject", "application/json", Event("a"), {"a"}},
        BodyCase{"JsonArray", "application/json", Array({Event("a"), Event("b")}), {"a", "b"}},
        BodyCase{"PrettyJsonWithCharset", "application/json; charset=utf-8", kPrettyObject, {"a"}},
        BodyCase{"Ndjson", "application/x-ndjson", Event("a") + "\n\n  \n" + Event("b") + "\r\n", {"a", "b"}},
        BodyCase{"BeaconObject", "text/plain;charset=UTF-8", kPrettyObject, {"a"}},
        BodyCase{
            "BeaconArray", "text/plain;charset=UTF-8", "\n " + Array({Event("a"), Event("b")}), {"a", "b"}},
        BodyCase{"BeaconNdjson",
                 "text/plain;charset=UTF-8",
                 Event("a") + "\n" + Event("b") + "\n" + Event("c"),
                 {"a", "b", "c"}},
        BodyCase{"NoContentType", "", Array({Event("a"), Event("b")}), {"a", "b"}}),
    [](const auto& test) { return test.param.name; });

struct RejectedCase {
  std::string name;
  std::string content_type;
  std::string body;
  int status;
  std::string field;
  std::string description;
};

class RejectedRequestTest : public HttpIngestTest, public ::testing::WithParamInterface<RejectedCase> {};

TEST_P(RejectedRequestTest, AnswersTheStatusNamesTheCauseAndSubmitsNothing) {
  const RejectedCase& c = GetParam();
  Reply reply = Post(c.body, c.content_type);
  EXPECT_EQ(reply.status, c.status) << reply.body;
  json body = reply.Json();
  ASSERT_EQ(body["errors"].size(), 1u) << reply.body;
  EXPECT_EQ(body["errors"][0]["field"], c.field);
  EXPECT_THAT(body["errors"][0]["description"].get<std::string>(), HasSubstr(c.description));
  EXPECT_FALSE(body.contains("results"));
  EXPECT_TRUE(submitter_.Received().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Requests, RejectedRequestTest,
    ::testing::Values(
        RejectedCase{"UnbalancedArray", "application/json", "[" + Event("a"), 400, "body", "unbalanced"},
        RejectedCase{"TextAfterArray", "application/json", Array({Event("a")}) + " x", 400, "body",
                     "after the JSON array"},
        RejectedCase{"Scalar", "application/json", "42", 400, "body", "not a JSON object, array or NDJSON"},
        RejectedCase{"EmptyBody", "text/plain", " \n", 400, "body", "empty"},
        RejectedCase{"EmptyArray", "application/json", "[ ]", 400, "body", "no events"},
        RejectedCase{"TooManyEvents", "application/json",
                     Array({Event("1"), Event("2"), Event("3"), Event("4"), Event("5"), Event("6")}), 413,
                     "body", "holds 6 events; at most 5"},
        RejectedCase{"TooLarge", "application/json", Array({Event(std::string(5000, 'x'))}), 413, "body",
                     "at most 4096 are accepted"},
        RejectedCase{"Xml", "application/xml", "<event/>", 415, "content-type",
                     "application/xml is not supported"},
        RejectedCase{"FormPost", "application/x-www-form-urlencoded", "a=b", 415, "content-type",
                     "application/x-www-form-urlencoded"},
        RejectedCase{"Latin1", "text/plain; charset=ISO-8859-1", Event("a"), 415, "content-type",
                     "charset iso-8859-1 is not supported"}),
    [](const auto& test) { return test.param.name; });

struct BadEventCase {
  std::string name;
  std::string event;
  std::string event_id;
  std::string description;
};

class BadEventTest : public HttpIngestTest, public ::testing::WithParamInterface<BadEventCase> {};

TEST_P(BadEventTest, IsReportedByItsIndexWhileTheOthersAreStored) {
  const BadEventCase& c = GetParam();
  Reply reply = Post(Array({Event("a"), c.event, Event("c")}));
  EXPECT_EQ(reply.status, 400) << reply.body;
  json body = reply.Json();
  ASSERT_EQ(body["errors"].size(), 1u) << reply.body;
  const json& error = body["errors"][0];
  EXPECT_EQ(error["index"], 1);
  EXPECT_EQ(error["event_id"], c.event_id);
  EXPECT_EQ(error["field"], "events[1]");
  EXPECT_THAT(error["description"].get<std::string>(), HasSubstr(c.description));
  EXPECT_EQ(body["results"][0]["stored"], true);
  EXPECT_EQ(body["results"][1]["stored"], false);
  EXPECT_EQ(body["results"][1]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(body["results"][2]["stored"], true);
  EXPECT_EQ(submitter_.ReceivedIds(), (std::vector<std::string>{"a", "c"}));
}

INSTANTIATE_TEST_SUITE_P(
    Events, BadEventTest,
    ::testing::Values(
        BadEventCase{"UnknownField", R"({"event_id":"b","colour":"red"})", "b", "colour: Cannot find field"},
        BadEventCase{"UnknownEnumValue", R"({"eventId":"b","channel":"CHANNEL_FAX"})", "b", "CHANNEL_FAX"},
        BadEventCase{"WrongType", R"({"event_id":"b","customer":{"phone":13800138000}})", "b",
                     "customer.phone"},
        BadEventCase{"BrokenSyntax", R"({"event_id" "b"})", "", "Expected : between key:value pair"},
        BadEventCase{"NotAnObject", "42", "", "Root element must be a message"}),
    [](const auto& test) { return test.param.name; });

TEST_F(HttpIngestTest, SubmitterViolationsNameTheFieldByPositionInTheRequest) {
  submitter_.decide = [](const v1::Interaction& event) {
    v1::EventResult result;
    result.set_event_id(event.event_id());
    result.set_code(static_cast<int>(absl::StatusCode::kInvalidArgument));
    result.set_message("invalid event");
    v1::FieldViolation& violation = *result.add_violations();
    violation.set_field("event.customer.phone");
    violation.set_description("not a valid phone number");
    return result;
  };
  Reply reply = Post(Array({R"({"colour":1})", Event("b")}));
  EXPECT_EQ(reply.status, 400);
  json errors = reply.Json()["errors"];
  ASSERT_EQ(errors.size(), 2u) << reply.body;
  EXPECT_EQ(errors[0]["field"], "events[0]");
  EXPECT_EQ(errors[1], json({{"index", 1},
                             {"event_id", "b"},
                             {"field", "events[1].customer.phone"},
                             {"description", "not a valid phone number"}}));
}

TEST_F(HttpIngestTest, ResultsFollowTheRequestOrderAroundRejectedEvents) {
  Reply reply = Post(Array({Event("a"), R"({"event_id":})", Event("b"), "[]", Event("c")}), "text/plain");
  ASSERT_EQ(reply.status, 400) << reply.body;
  json body = reply.Json();
  std::vector<bool> stored;
  for (size_t i = 0; i < body["results"].size(); ++i) {
    EXPECT_EQ(body["results"][i]["index"], i);
    stored.push_back(body["results"][i]["stored"].get<bool>());
  }
  EXPECT_EQ(stored, (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(body["results"][4]["customer_id"], "cu_c");
}

struct OutcomeCase {
  std::string name;
  absl::StatusCode code;
  int status;
  std::string retry_after;
};

class SubmitterOutcomeTest : public HttpIngestTest, public ::testing::WithParamInterface<OutcomeCase> {};

TEST_P(SubmitterOutcomeTest, MapsToTheHttpStatusAndListsWhatIsNotStored) {
  const OutcomeCase& c = GetParam();
  submitter_.decide = [&](const v1::Interaction& event) {
    v1::EventResult result;
    result.set_event_id(event.event_id());
    if (event.event_id() == "a") {
      result.set_customer_id("cu_a");
      return result;
    }
    result.set_code(static_cast<int>(c.code));
    result.set_message("not stored: broker down");
    return result;
  };
  Reply reply = Post(Array({Event("a"), Event("b")}));
  EXPECT_EQ(reply.status, c.status) << reply.body;
  EXPECT_EQ(reply.Header("retry-after"), c.retry_after);
  json results = reply.Json()["results"];
  ASSERT_EQ(results.size(), 2u) << reply.body;
  EXPECT_EQ(results[0]["stored"], true);
  EXPECT_EQ(results[1], json({{"index", 1},
                              {"event_id", "b"},
                              {"stored", false},
                              {"code", absl::StatusCodeToString(c.code)},
                              {"message", "not stored: broker down"}}));
}

INSTANTIATE_TEST_SUITE_P(
    Codes, SubmitterOutcomeTest,
    ::testing::Values(OutcomeCase{"Overloaded", absl::StatusCode::kResourceExhausted, 429, "1"},
                      OutcomeCase{"Unavailable", absl::StatusCode::kUnavailable, 503, "1"},
                      OutcomeCase{"BeingPublished", absl::StatusCode::kAborted, 503, "1"},
                      OutcomeCase{"Unexpected", absl::StatusCode::kInternal, 500, ""}),
    [](const auto& test) { return test.param.name; });

TEST_F(HttpIngestTest, UnavailableOutranksInvalidSoTheClientResends) {
  submitter_.decide = [](const v1::Interaction& event) {
    v1::EventResult result;
    result.set_event_id(event.event_id());
    result.set_code(static_cast<int>(absl::StatusCode::kUnavailable));
    return result;
  };
  Reply reply = Post(Array({R"({"colour":1})", Event("b")}));
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.Header("retry-after"), "1");
  EXPECT_EQ(reply.Json()["errors"][0]["field"], "events[0]");
}

TEST_F(HttpIngestTest, DuplicateEventsAreReportedAsStored) {
  submitter_.decide = [](const v1::Interaction& event) {
    v1::EventResult result;
    result.set_event_id(event.event_id());
    result.set_customer_id("cu_1");
    result.set_duplicate(true);
    return result;
  };
  Reply reply = Post(Event("a"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Json()["results"][0]["duplicate"], true);
}

TEST_F(HttpIngestTest, ChineseTextRoundTripsThroughTheSubmitter) {
  std::string event =
      R"({"event_id":"事件-1","agent":"张三","customer":{"phone":"13800138000"},)"
      R"("attributes":{"备注":"客户来电咨询，想了解新款车型"},"followUp":{"stage":"需求确认"}})";
  Reply reply = Post(event, "text/plain;charset=UTF-8");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr(R"("event_id":"事件-1")"));
  std::vector<v1::Interaction> received = submitter_.Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].event_id(), "事件-1");
  EXPECT_EQ(received[0].agent(), "张三");
  EXPECT_EQ(received[0].attributes().at("备注"), "客户来电咨询，想了解新款车型");
  EXPECT_EQ(received[0].follow_up().stage(), "需求确认");
}

struct CorsCase {
  std::string name;
  std::vector<std::string> allowed_origins;
  std::string method;
  std::string origin;  // empty: no Origin header
  int status;
  std::string allow_origin;  // expected Access-Control-Allow-Origin, empty: none
};

class CorsTest : public HttpIngestTest, public ::testing::WithParamInterface<CorsCase> {};

TEST_P(CorsTest, AnswersCorsHeadersOnlyForAllowedOrigins) {
  const CorsCase& c = GetParam();
  HttpIngestOptions options = TestOptions();
  options.allowed_origins = c.allowed_origins;
  Start(options);
  std::vector<std::string> headers = {"Content-Type: text/plain"};
  if (!c.origin.empty()) headers.push_back("Origin: " + c.origin);
  if (c.method == "OPTIONS") headers.push_back("Access-Control-Request-Method: POST");
  Reply reply = Send(c.method, Url(), Event("a"), headers);
  EXPECT_EQ(reply.status, c.status) << reply.body;
  EXPECT_EQ(reply.Header("access-control-allow-origin"), c.allow_origin);
  EXPECT_EQ(reply.Header("vary"), "Origin");
  bool allowed_preflight = c.method == "OPTIONS" && !c.allow_origin.empty();
  EXPECT_EQ(reply.Header("access-control-allow-methods"), allowed_preflight ? "POST, OPTIONS" : "");
  EXPECT_EQ(reply.Header("access-control-allow-headers"),
            allowed_preflight ? "Authorization, Content-Type" : "");
  EXPECT_EQ(submitter_.ReceivedIds().size(), c.method == "POST" ? 1u : 0u);
}

const std::vector<std::string> kShop = {"https://shop.example.com", "https://m.shop.example.com"};

INSTANTIATE_TEST_SUITE_P(
    Origins, CorsTest,
    ::testing::Values(
        CorsCase{"AllowedPost", kShop, "POST", "https://m.shop.example.com", 200,
                 "https://m.shop.example.com"},
        CorsCase{"OtherOriginPostIsStoredWithoutCors", kShop, "POST", "https://evil.example", 200, ""},
        CorsCase{"PostWithoutOrigin", kShop, "POST", "", 200, ""},
        CorsCase{"WildcardEchoesTheOrigin", {"*"}, "POST", "https://any.example", 200, "https://any.example"},
        CorsCase{"AllowedPreflight", kShop, "OPTIONS", "https://shop.example.com", 204,
                 "https://shop.example.com"},
        CorsCase{"OtherOriginPreflight", kShop, "OPTIONS", "https://evil.example", 403, ""},
        CorsCase{"NoOriginsConfiguredPreflight", {}, "OPTIONS", "https://shop.example.com", 403, ""}),
    [](const auto& test) { return test.param.name; });

TEST_F(HttpIngestTest, AllowedOriginMayReadRetryAfter) {
  submitter_.decide = [](const v1::Interaction& event) {
    v1::EventResult result;
    result.set_event_id(event.event_id());
    result.set_code(static_cast<int>(absl::StatusCode::kUnavailable));
    return result;
  };
  Reply reply = Post(Event("a"), "text/plain", {"Origin: https://shop.example.com"});
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(reply.Header("access-control-expose-headers"), "Retry-After");
}

TEST_F(HttpIngestTest, OtherMethodsAnswer405WithTheAllowedOnes) {
  Reply reply = Send("GET", Url(), "");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.Header("allow"), "POST, OPTIONS");
  EXPECT_EQ(reply.Json()["errors"][0]["field"], "method");
}

TEST_F(HttpIngestTest, OtherPathsFallThroughToTheAdminRoutes) {
  EXPECT_EQ(Send("GET", Url("/healthz"), "").body, "ok\n");
  EXPECT_EQ(Send("GET", Url("/nope"), "").status, 404);
  EXPECT_EQ(Post(Event("a")).status, 200);
}

// An administrator, a sales rep (who may not publish) and an event source.
std::string TokenFile() {
  auto principal = [](const std::string& fields, const std::string& token) {
    return absl::StrCat("  - ", fields, "\n    token_sha256: ", auth::DigestToHex(auth::DigestToken(token)),
                        "\n");
  };
  return absl::StrCat(
      "principals:\n", principal("name: root\n    role: admin", "admin-token"),
      principal("name: li.na\n    role: sales\n    department: east\n    owner: li.na", "sales-token"),
      principal("name: pos\n    role: ingest", "ingest-token"));
}

class AuthenticatedHttpIngestTest : public HttpIngestTest {
 protected:
  void SetUp() override {
    absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(TokenFile(), "test-tokens.yaml");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    auth_ = auth::RequestAuthenticator(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
    Start(TestOptions());
  }
};

struct TokenCase {
  std::string name;
  std::string authorization;  // empty: no Authorization header
  int status;
};

class PostTokenTest : public AuthenticatedHttpIngestTest, public ::testing::WithParamInterface<TokenCase> {};

TEST_P(PostTokenTest, OnlyCallersAllowedToPublishAreServed) {
  const TokenCase& c = GetParam();
  std::vector<std::string> headers;
  if (!c.authorization.empty()) headers.push_back("Authorization: " + c.authorization);
  Reply reply = Post(Event("a"), "text/plain", headers);
  EXPECT_EQ(reply.status, c.status) << reply.body;
  if (c.status == 401) {
    EXPECT_EQ(reply.Header("www-authenticate").substr(0, 6), "Bearer");
  }
  EXPECT_EQ(submitter_.ReceivedIds().size(), c.status == 200 ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Tokens, PostTokenTest,
                         ::testing::Values(TokenCase{"NoToken", "", 401},
                                           TokenCase{"UnknownToken", "Bearer not-a-known-token", 401},
                                           TokenCase{"NotBearer", "Basic YWRtaW46YWRtaW4=", 401},
                                           TokenCase{"SalesMayNotPublish", "Bearer sales-token", 403},
                                           TokenCase{"EventSource", "Bearer ingest-token", 200},
                                           TokenCase{"Administrator", "Bearer admin-token", 200}),
                         [](const auto& test) { return test.param.name; });

TEST_F(AuthenticatedHttpIngestTest, PreflightsAndAdminRoutesNeedNoToken) {
  Reply preflight =
      Send("OPTIONS", Url(), "", {"Origin: https://shop.example.com", "Access-Control-Request-Method: POST"});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.Header("access-control-allow-origin"), "https://shop.example.com");
  EXPECT_EQ(Send("GET", Url("/healthz"), "").body, "ok\n");
}

}  // namespace
}  // namespace custflow::ingest
