// HiredisClient against a real redis-server: binary safety, pipelines, scripts, error
// replies, outages, restarts, hangs and concurrent callers.
#include "custflow/redis/hiredis_client.h"

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/local_process.h"
#include "tests/support/redis_server.h"

namespace custflow::redis {
namespace {

using ::custflow::testing::LocalRedisServer;
using ::custflow::testing::StartRedisServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kTimeout(300);

std::unique_ptr<RedisClient> ClientFor(int port, HiredisOptions options = {}) {
  options.port = port;
  options.connect_timeout = kTimeout;
  options.command_timeout = kTimeout;
  absl::StatusOr<std::unique_ptr<RedisClient>> client = HiredisClient::Create(options);
  if (!client.ok()) {
    ADD_FAILURE() << client.status();
    return nullptr;
  }
  return *std::move(client);
}

// Runs a command that must reach Redis; a transport failure fails the test.
Reply MustRun(RedisClient& client, std::initializer_list<std::string_view> args) {
  absl::StatusOr<Reply> reply = client.Command(args);
  EXPECT_TRUE(reply.ok()) << reply.status();
  return reply.ok() ? *std::move(reply) : Reply::Error(reply.status().ToString());
}

// Runs `calls` PINGs from each of `threads` threads and returns how many failed.
int FailedPings(RedisClient& client, int threads, int calls) {
  std::atomic<int> failures = 0;
  std::vector<std::jthread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < calls; ++i) {
        absl::StatusOr<Reply> reply = client.Command({"PING"});
        if (!reply.ok() || *reply != Reply::Status("PONG")) ++failures;
      }
    });
  }
  workers.clear();
  return failures;
}

// Tests that leave the server running share one; each starts from an empty data set.
class HiredisClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<LocalRedisServer> server = StartRedisServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_.emplace(*std::move(server));
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(server_.has_value());
    client_ = ClientFor(server_->port());
    ASSERT_NE(client_, nullptr);
    ASSERT_EQ(MustRun(*client_, {"FLUSHALL"}), Reply::Status("OK"));
  }

  static inline std::optional<LocalRedisServer> server_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(HiredisClientTest, SetAndGetRoundTripBinaryKeyAndValue) {
  std::string key("k\0\r\n", 4);
  std::string value("\0\xff\r\n$3\r\nabc\0", 12);
  EXPECT_EQ(MustRun(*client_, {"SET", key, value}), Reply::Status("OK"));
  EXPECT_EQ(MustRun(*client_, {"GET", key}), Reply::String(value));
}

TEST_F(HiredisClientTest, EmptyValueRoundTrips) {
  EXPECT_EQ(MustRun(*client_, {"SET", "empty", ""}), Reply::Status("OK"));
  EXPECT_EQ(MustRun(*client_, {"GET", "empty"}), Reply::String(""));
}

TEST_F(HiredisClientTest, GetOfMissingKeyReturnsNil) {
  EXPECT_EQ(MustRun(*client_, {"GET", "missing"}), Reply::Nil());
}

TEST_F(HiredisClientTest, ArrayRepliesKeepTheirStructure) {
  MustRun(*client_, {"HSET", "h", "a", "1"});
  EXPECT_EQ(MustRun(*client_, {"HGETALL", "h"}), Reply::Array({Reply::String("a"), Reply::String("1")}));
  EXPECT_EQ(MustRun(*client_, {"HMGET", "h", "a", "b"}), Reply::Array({Reply::String("1"), Reply::Nil()}));
}

TEST_F(HiredisClientTest, ErrorReplyCarriesRedisText) {
  MustRun(*client_, {"SET", "text", "abc"});
  Reply reply = MustRun(*client_, {"INCR", "text"});
  ASSERT_TRUE(reply.is_error()) << reply;
  EXPECT_EQ(reply.str(), "ERR value is not an integer or out of range");
  EXPECT_THAT(MustRun(*client_, {"NOSUCHCOMMAND"}).str(), StartsWith("ERR unknown command"));
  EXPECT_EQ(MustRun(*client_, {"LPUSH", "text", "x"}).ToStatus().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(HiredisClientTest, EmptyCommandIsRejected) {
  EXPECT_EQ(client_->Command({}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Pipeline({{"PING"}, {}}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(HiredisClientTest, PipelineOfThousandCommandsReturnsThousandRepliesInOrder) {
  std::vector<CommandArgs> commands(1000, CommandArgs{"INCR", "counter"});
  absl::StatusOr<std::vector<Reply>> replies = client_->Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ((*replies)[i], Reply::Integer(i + 1));
}

TEST_F(HiredisClientTest, PipelineReportsErrorReplyInItsSlotAndRunsTheRest) {
  absl::StatusOr<std::vector<Reply>> replies =
      client_->Pipeline({{"SET", "p", "x"}, {"INCR", "p"}, {"GET", "p"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 3u);
  EXPECT_EQ((*replies)[0], Reply::Status("OK"));
  EXPECT_TRUE((*replies)[1].is_error());
  EXPECT_EQ((*replies)[2], Reply::String("x"));
}

TEST_F(HiredisClientTest, EmptyPipelineReturnsNoReplies) {
  absl::StatusOr<std::vector<Reply>> replies = client_->Pipeline({});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_TRUE(replies->empty());
}

const Script& SetAndEchoScript() {
  static const Script script(
      "redis.call('SET', KEYS[1], ARGV[1]) "
      "return {KEYS[1], ARGV[2], redis.call('GET', KEYS[1])}");
  return script;
}

TEST_F(HiredisClientTest, ScriptSha1MatchesRedisScriptLoad) {
  EXPECT_EQ(MustRun(*client_, {"SCRIPT", "LOAD", SetAndEchoScript().source()}),
            Reply::String(SetAndEchoScript().sha1()));
}

TEST_F(HiredisClientTest, EvalRunsScriptWithKeysAndArgs) {
  absl::StatusOr<Reply> reply = client_->Eval(SetAndEchoScript(), {"key"}, {"value", "extra"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, Reply::Array({Reply::String("key"), Reply::String("extra"), Reply::String("value")}));
}

TEST_F(HiredisClientTest, EvalLoadsScriptAgainAfterScriptFlush) {
  ASSERT_TRUE(client_->Eval(SetAndEchoScript(), {"key"}, {"first", ""}).ok());
  ASSERT_EQ(MustRun(*client_, {"SCRIPT", "FLUSH"}), Reply::Status("OK"));
  absl::StatusOr<Reply> reply = client_->Eval(SetAndEchoScript(), {"key"}, {"second", ""});
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->is_array()) << *reply;
  EXPECT_EQ(reply->elements()[2], Reply::String("second"));
  EXPECT_EQ(MustRun(*client_, {"SCRIPT", "EXISTS", SetAndEchoScript().sha1()}),
            Reply::Array({Reply::Integer(1)}));
}

TEST_F(HiredisClientTest, EvalReportsScriptErrorAsErrorReply) {
  Script failing("return redis.error_reply('CUSTOM the script said no')");
  absl::StatusOr<Reply> reply = client_->Eval(failing, {}, {});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(*reply, Reply::Error("CUSTOM the script said no"));
}

TEST_F(HiredisClientTest, SelectsConfiguredDatabase) {
  HiredisOptions options;
  options.db = 3;
  std::unique_ptr<RedisClient> db3 = ClientFor(server_->port(), options);
  ASSERT_NE(db3, nullptr);
  MustRun(*db3, {"SET", "where", "db3"});
  EXPECT_EQ(MustRun(*db3, {"GET", "where"}), Reply::String("db3"));
  EXPECT_EQ(MustRun(*client_, {"GET", "where"}), Reply::Nil());
}

TEST_F(HiredisClientTest, CreateFailsWithRedisTextWhenDatabaseDoesNotExist) {
  HiredisOptions options;
  options.port = server_->port();
  options.db = 1000;
  absl::StatusOr<std::unique_ptr<RedisClient>> client = HiredisClient::Create(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(client.status().message(), HasSubstr("DB index is out of range"));
}

// Every reply reaches its own caller, and a pipeline's commands stay back to back even
// while other threads share the connection (else MULTI would queue their commands too).
TEST_F(HiredisClientTest, ConcurrentCallsFromEightThreadsAreCorrect) {
  constexpr int kThreads = 8;
  constexpr int kCalls = 200;
  std::atomic<int> wrong = 0;
  std::vector<std::jthread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        std::string key = absl::StrCat("thread", t, ":", i);
        std::string value = absl::StrCat("value", t * kCalls + i);
        absl::StatusOr<Reply> set = client_->Command({"SET", key, value});
        absl::StatusOr<Reply> get = client_->Command({"GET", key});
        absl::StatusOr<std::vector<Reply>> transaction =
            client_->Pipeline({{"MULTI"}, {"INCR", "shared"}, {"GET", key}, {"EXEC"}});
        bool set_ok = set.ok() && *set == Reply::Status("OK");
        bool get_ok = get.ok() && *get == Reply::String(value);
        bool transaction_ok = transaction.ok() && transaction->size() == 4 &&
                              (*transaction)[2] == Reply::Status("QUEUED") &&
                              (*transaction)[3].elements().size() == 2 &&
                              (*transaction)[3].elements()[1] == Reply::String(value);
        if (!set_ok || !get_ok || !transaction_ok) ++wrong;
      }
    });
  }
  workers.clear();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(MustRun(*client_, {"GET", "shared"}), Reply::String(std::to_string(kThreads * kCalls)));
}

// Tests that stop, restart or freeze the server get one of their own.
class HiredisClientFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<LocalRedisServer> server = StartRedisServer();
    ASSERT_TRUE(server.ok()) << server.status();
    server_.emplace(*std::move(server));
    client_ = ClientFor(server_->port());
    ASSERT_NE(client_, nullptr);
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", server_->port()); }

  std::optional<LocalRedisServer> server_;
  std::unique_ptr<RedisClient> client_;
};

TEST(HiredisClientCreateTest, CreateFailsWithUnavailableWhenNothingListens) {
  HiredisOptions options;
  options.port = custflow::testing::FreeLoopbackPort();
  absl::StatusOr<std::unique_ptr<RedisClient>> client = HiredisClient::Create(options);
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(client.status().message(), HasSubstr(absl::StrCat("127.0.0.1:", options.port)));
}

TEST_F(HiredisClientFaultTest, CallsFailFastWithUnavailableWhileServerIsStopped) {
  ASSERT_EQ(MustRun(*client_, {"PING"}), Reply::Status("PONG"));
  server_->Stop();
  auto start = Clock::now();
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<Reply> reply = client_->Command({"SET", "k", "v"});
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
    EXPECT_THAT(reply.status().message(), HasSubstr(Address()));
  }
  EXPECT_LT(Clock::now() - start, kTimeout);
  EXPECT_EQ(client_->Pipeline({{"PING"}}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client_->Eval(Script("return 1"), {}, {}).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(HiredisClientFaultTest, SameClientWorksAgainAfterServerRestartsOnSamePort) {
  // Calls take the connections in turn, so these open all four: stale idle connections are
  // certain to exist after the restart.
  for (int i = 0; i < 8; ++i) MustRun(*client_, {"PING"});
  EXPECT_THAT(MustRun(*client_, {"INFO", "clients"}).str(), HasSubstr("connected_clients:4"));

  server_->Stop();
  EXPECT_EQ(client_->Command({"PING"}).status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());

  EXPECT_EQ(FailedPings(*client_, 8, 20), 0);
  EXPECT_EQ(MustRun(*client_, {"SET", "after", "restart"}), Reply::Status("OK"));
  absl::StatusOr<Reply> eval = client_->Eval(Script("return 7"), {}, {});
  ASSERT_TRUE(eval.ok()) << eval.status();
  EXPECT_EQ(*eval, Reply::Integer(7));
}

TEST_F(HiredisClientFaultTest, CallFailsAfterCommandTimeoutWhenServerHangs) {
  ASSERT_EQ(MustRun(*client_, {"PING"}), Reply::Status("PONG"));
  server_->Pause();
  auto start = Clock::now();
  absl::StatusOr<Reply> reply = client_->Command({"PING"});
  auto elapsed = Clock::now() - start;
  server_->Resume();

  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(reply.status().message(), HasSubstr("command timeout"));
  EXPECT_GE(elapsed, kTimeout - milliseconds(50));
  EXPECT_LT(elapsed, kTimeout + milliseconds(500));
  EXPECT_EQ(MustRun(*client_, {"PING"}), Reply::Status("PONG"));
}

// Callers queued behind a hung exchange wait for it and then for their own: bounded.
TEST_F(HiredisClientFaultTest, ConcurrentCallsToHungServerAllFailWithinTheirTimeouts) {
  ASSERT_EQ(MustRun(*client_, {"PING"}), Reply::Status("PONG"));
  server_->Pause();
  auto start = Clock::now();
  int failed = FailedPings(*client_, 16, 1);
  auto elapsed = Clock::now() - start;
  server_->Resume();

  EXPECT_EQ(failed, 16);
  EXPECT_LT(elapsed, 2 * (kTimeout + kTimeout) + milliseconds(500));
  EXPECT_EQ(FailedPings(*client_, 4, 5), 0);
}

TEST_F(HiredisClientFaultTest, AuthenticatesWithPasswordAndRejectsWrongOrMissingOne) {
  ASSERT_EQ(MustRun(*client_, {"CONFIG", "SET", "requirepass", "s3cret"}), Reply::Status("OK"));

  HiredisOptions options;
  options.password = "s3cret";
  std::unique_ptr<RedisClient> authenticated = ClientFor(server_->port(), options);
  ASSERT_NE(authenticated, nullptr);
  EXPECT_EQ(MustRun(*authenticated, {"PING"}), Reply::Status("PONG"));

  options.port = server_->port();
  options.password = "wrong";
  absl::StatusOr<std::unique_ptr<RedisClient>> rejected = HiredisClient::Create(options);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(rejected.status().message(), HasSubstr("WRONGPASS"));

  options.password = "";
  absl::StatusOr<std::unique_ptr<RedisClient>> anonymous = HiredisClient::Create(options);
  EXPECT_EQ(anonymous.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(anonymous.status().message(), HasSubstr("NOAUTH"));
}

}  // namespace
}  // namespace custflow::redis
