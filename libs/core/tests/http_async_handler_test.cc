// The asynchronous handler form of HttpServer: answers from other threads, keep-alive
// under concurrency, and what happens to a responder that is dropped or answers too late.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "custflow/core/http_server.h"
#include "tests/http_client.h"

namespace custflow::core {
namespace {

using testing::Fetch;

// Answers requests on its own thread, each after an optional delay, like a handler that
// waits for a broker.
class AnsweringThread {
 public:
  AnsweringThread() : thread_([this] { Run(); }) {}
  ~AnsweringThread() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    ready_.notify_one();
    thread_.join();
  }

  // Runs `answer` with the responder on this thread after `delay`.
  void Later(HttpResponder responder, std::function<void(HttpResponder)> answer,
             std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back({std::move(responder), std::move(answer), delay});
    }
    ready_.notify_one();
  }

 private:
  struct Task {
    HttpResponder responder;
    std::function<void(HttpResponder)> answer;
    std::chrono::milliseconds delay;
  };

  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      ready_.wait(lock, [this] { return done_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      Task task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      std::this_thread::sleep_for(task.delay);
      task.answer(std::move(task.responder));
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
  bool done_ = false;
  std::thread thread_;
};

HttpResponse TextResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// One connection reused for every request, as a browser or load balancer keeps it.
class KeepAliveClient {
 public:
  struct Answer {
    long status = 0;
    std::string body;
    long new_connections = 0;
  };

  KeepAliveClient() : curl_(curl_easy_init()) {}
  ~KeepAliveClient() { curl_easy_cleanup(curl_); }
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  Answer Post(const std::string& url, const std::string& body) {
    Answer answer;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, testing::AppendBody);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    if (curl_easy_perform(curl_) == CURLE_OK) {
      curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer.status);
      curl_easy_getinfo(curl_, CURLINFO_NUM_CONNECTS, &answer.new_connections);
    }
    return answer;
  }

 private:
  CURL* curl_;
};

std::unique_ptr<HttpServer> StartAsync(AsyncHttpHandler handler, int threads = 2) {
  HttpServer::Options options;
  options.address = "127.0.0.1";
  options.threads = threads;
  auto server = HttpServer::Start(options, std::move(handler));
  EXPECT_TRUE(server.ok()) << server.status();
  return std::move(*server);
}

std::string Url(const HttpServer& server, const std::string& path) {
  return absl::StrCat("http://127.0.0.1:", server.port(), path);
}

TEST(AsyncHttpHandler, AnswersFromAnotherThreadAfterADelay) {
  AnsweringThread worker;
  auto server = StartAsync([&](HttpRequest request, HttpResponder responder) {
    worker.Later(
        std::move(responder),
        [body = request.body](HttpResponder later) {
          std::move(later).Respond(TextResponse(202, "later " + body));
        },
        std::chrono::milliseconds(200));
  });
  std::string body = "张三";
  auto started = std::chrono::steady_clock::now();
  auto fetched = Fetch(Url(*server, "/"), &body);
  EXPECT_EQ(fetched.status, 202);
  EXPECT_EQ(fetched.body, "later 张三");
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(200));
}

TEST(AsyncHttpHandler, PendingAnswerDoesNotHoldTheOnlyIoThread) {
  std::promise<HttpResponder> slow_responder;
  auto server = StartAsync(
      [&](HttpRequest request, HttpResponder responder) {
        if (request.path == "/slow") return slow_responder.set_value(std::move(responder));
        std::move(responder).Respond(TextResponse(200, "fast"));
      },
      /*threads=*/1);
  auto slow = std::async(std::launch::async, [&] { return Fetch(Url(*server, "/slow")); });
  HttpResponder held = slow_responder.get_future().get();

  EXPECT_EQ(Fetch(Url(*server, "/fast")).body, "fast");
  std::move(held).Respond(TextResponse(200, "slow"));
  EXPECT_EQ(slow.get().body, "slow");
}

TEST(AsyncHttpHandler, ManyConcurrentKeepAliveRequestsEachGetTheirOwnAnswer) {
  constexpr int kClients = 8;
  constexpr int kRequestsPerClient = 100;
  AnsweringThread worker;
  auto server = StartAsync([&](HttpRequest request, HttpResponder responder) {
    HttpResponse echo = TextResponse(200, request.body);
    if (request.body.back() % 2 == 0) return std::move(responder).Respond(std::move(echo));
    worker.Later(std::move(responder), [echo](HttpResponder later) { std::move(later).Respond(echo); });
  });
  std::vector<std::future<int>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(std::async(std::launch::async, [&, c] {
      KeepAliveClient client;
      int connections = 0;
      for (int i = 0; i < kRequestsPerClient; ++i) {
        std::string body = absl::StrCat("client ", c, " request ", i);
        KeepAliveClient::Answer answer = client.Post(Url(*server, "/echo"), body);
        EXPECT_EQ(answer.status, 200);
        EXPECT_EQ(answer.body, body);
        connections += static_cast<int>(answer.new_connections);
      }
      return connections;
    }));
  }
  for (auto& client : clients) EXPECT_EQ(client.get(), 1) << "each client should reuse its one connection";
}

TEST(AsyncHttpHandler, DroppedResponderAnswers500AndTheConnectionStaysUsable) {
  AnsweringThread worker;
  auto server = StartAsync([&](HttpRequest request, HttpResponder responder) {
    if (request.path == "/drop") return worker.Later(std::move(responder), [](HttpResponder) {});
    std::move(responder).Respond(TextResponse(200, "ok"));
  });
  KeepAliveClient client;
  KeepAliveClient::Answer dropped = client.Post(Url(*server, "/drop"), "x");
  EXPECT_EQ(dropped.status, 500);
  EXPECT_NE(dropped.body.find("did not answer"), std::string::npos) << dropped.body;
  KeepAliveClient::Answer next = client.Post(Url(*server, "/ok"), "x");
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.new_connections, 0);
}

TEST(AsyncHttpHandler, AnswerAfterTheServerStoppedIsDropped) {
  std::promise<HttpResponder> held_responder;
  auto server = StartAsync(
      [&](HttpRequest, HttpResponder responder) { held_responder.set_value(std::move(responder)); });
  auto fetched = std::async(std::launch::async, [url = Url(*server, "/")] { return Fetch(url); });
  HttpResponder held = held_responder.get_future().get();
  server.reset();

  std::move(held).Respond(TextResponse(200, "too late"));
  EXPECT_EQ(fetched.get().status, 0) << "the connection closes without an answer";
}

TEST(AsyncHttpHandler, AdminRoutesServeInFrontOfAnAsyncHandler) {
  Health health;
  MetricsRegistry metrics;
  AnsweringThread worker;
  AsyncHttpHandler api = [&](HttpRequest request, HttpResponder responder) {
    worker.Later(std::move(responder), [path = request.path](HttpResponder later) {
      std::move(later).Respond(TextResponse(200, path));
    });
  };
  auto server = StartAsync(AdminHandler(health, metrics, api));
  EXPECT_EQ(Fetch(Url(*server, "/healthz")).body, "ok\n");
  EXPECT_EQ(Fetch(Url(*server, "/v1/events")).body, "/v1/events");

  auto without_api = StartAsync(AdminHandler(health, metrics, AsyncHttpHandler()));
  EXPECT_EQ(Fetch(Url(*without_api, "/v1/events")).status, 404);
}

TEST(HttpResponder, AnswersOnceAndOnlyTheLastOwnerAnswers) {
  std::vector<int> sent;
  auto record = [&](HttpResponse response) { sent.push_back(response.status); };
  {
    HttpResponder first(record);
    HttpResponder second = std::move(first);
    std::move(second).Respond(TextResponse(204, ""));
  }
  EXPECT_EQ(sent, std::vector<int>{204});

  sent.clear();
  {
    HttpResponder overwritten(record);
    overwritten = HttpResponder(record);
  }
  EXPECT_EQ(sent, (std::vector<int>{500, 500})) << "one for the overwritten responder, one when dropped";
}

}  // namespace
}  // namespace custflow::core
