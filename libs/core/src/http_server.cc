#include "custflow/core/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "custflow/core/log.h"

namespace custflow::core {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(60);

HttpRequest ToRequest(http::request<http::string_body>&& raw) {
  HttpRequest request;
  request.method = std::string(raw.method_string());
  std::string_view target(raw.target().data(), raw.target().size());
  size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : raw) {
    request.headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  request.body = std::move(raw.body());
  return request;
}

HttpResponse PlainResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

HttpResponder::HttpResponder(std::function<void(HttpResponse)> send) : send_(std::move(send)) {}

HttpResponder::HttpResponder(HttpResponder&& other) noexcept : send_(std::exchange(other.send_, nullptr)) {}

HttpResponder& HttpResponder::operator=(HttpResponder&& other) noexcept {
  if (this != &other) {
    AnswerIfPending();
    send_ = std::exchange(other.send_, nullptr);
  }
  return *this;
}

HttpResponder::~HttpResponder() { AnswerIfPending(); }

void HttpResponder::Respond(HttpResponse response) && {
  auto send = std::exchange(send_, nullptr);
  if (send) send(std::move(response));
}

void HttpResponder::AnswerIfPending() noexcept {
  auto send = std::exchange(send_, nullptr);
  if (!send) return;
  try {
    send(PlainResponse(500, "internal error: the handler did not answer\n"));
  } catch (const std::exception& e) {
    LogError("cannot answer a dropped http request", {{"error", e.what()}});
  }
}

AsyncHttpHandler ToAsyncHandler(HttpHandler handler) {
  if (!handler) return nullptr;
  return [handler = std::move(handler)](HttpRequest request, HttpResponder responder) {
    std::move(responder).Respond(handler(request));
  };
}

namespace {

// A connection's request-answer loop, over a plain or a TLS stream.
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // Called by AwaitingSessions (under its lock) once the handler answered.
  virtual void PostAnswer(HttpResponse response) = 0;
};

// The sessions whose handler has not answered yet. The server owns the sessions while
// they wait, so that Stop() destroys them while their io_context still exists; each
// responder holds this registry (not the session), and an answer arriving after Stop()
// finds it closed instead of posting to an io_context that is gone.
class AwaitingSessions {
 public:
  void Add(std::shared_ptr<SessionBase> session);
  // Posts `response` to the session's strand unless the server stopped meanwhile.
  void Answer(const std::weak_ptr<SessionBase>& waiting, HttpResponse response);
  // Refuses every later answer and hands over the waiting sessions.
  std::set<std::shared_ptr<SessionBase>> Close();

 private:
  std::mutex mutex_;
  bool closed_ = false;
  std::set<std::shared_ptr<SessionBase>> sessions_;
};

}  // namespace

struct HttpServer::Impl {
  Options options;
  AsyncHttpHandler handler;
  std::shared_ptr<AwaitingSessions> awaiting = std::make_shared<AwaitingSessions>();
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  // Set when the server speaks HTTPS.
  std::optional<asio::ssl::context> tls;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};

  void Accept();
};

namespace {

// `Stream` is beast::tcp_stream, or beast::ssl_stream over one for HTTPS.
template <typename Stream>
class Session : public SessionBase {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(tcp::socket socket, HttpServer::Impl& server) requires(!kTls)
      : stream_(std::move(socket)), server_(server) {}
  Session(tcp::socket socket, HttpServer::Impl& server) requires(kTls)
      : stream_(std::move(socket), *server.tls), server_(server) {}

  // Reads the first request, after the TLS handshake for HTTPS.
  void Start() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = Self()](beast::error_code error) {
        if (!error) self->Read();
      });
    } else {
      Read();
    }
  }

  void PostAnswer(HttpResponse response) override {
    asio::post(stream_.get_executor(), [self = Self(), response = std::move(response)]() mutable {
      self->Respond(std::move(response));
    });
  }

 private:
  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, Self()));
  }

  void OnRead(beast::error_code error, size_t) {
    if (error == http::error::body_limit) {
      keep_alive_ = false;
      Respond(PlainResponse(
          413, absl::StrCat("request body larger than ", server_.options.max_body_bytes, " bytes\n")));
      return;
    }
    if (error) return;  // closed, timed out or malformed: nothing to answer
    keep_alive_ = parser_->keep_alive();
    HttpRequest request = ToRequest(parser_->release());
    std::string path = request.path;
    std::shared_ptr<AwaitingSessions> awaiting = server_.awaiting;
    awaiting->Add(shared_from_this());
    HttpResponder responder([awaiting, waiting = weak_from_this()](HttpResponse response) {
      awaiting->Answer(waiting, std::move(response));
    });
    try {
      server_.handler(std::move(request), std::move(responder));
    } catch (const std::exception& e) {
      // The responder went out of scope with the exception and answered 500.
      LogError("http handler failed", {{"path", path}, {"error", e.what()}});
    }
  }

  void Respond(HttpResponse&& response) {
    response_ = {};
    response_.result(static_cast<unsigned>(response.status));
    response_.version(11);
    response_.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) response_.set(name, value);
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_write(stream_, response_, beast::bind_front_handler(&Session::OnWrite, Self()));
  }

  void OnWrite(beast::error_code error, size_t) {
    if (error) return;
    if (!keep_alive_) {
      if constexpr (kTls) {
        stream_.async_shutdown([self = Self()](beast::error_code) {});
      } else {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      }
      return;
    }
    Read();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool keep_alive_ = false;
  HttpServer::Impl& server_;
};

void AwaitingSessions::Add(std::shared_ptr<SessionBase> session) {
  std::lock_guard lock(mutex_);
  if (!closed_) sessions_.insert(std::move(session));
}

void AwaitingSessions::Answer(const std::weak_ptr<SessionBase>& waiting, HttpResponse response) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  std::shared_ptr<SessionBase> session = waiting.lock();
  if (session == nullptr || sessions_.erase(session) == 0) return;
  session->PostAnswer(std::move(response));
}

std::set<std::shared_ptr<SessionBase>> AwaitingSessions::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  return std::exchange(sessions_, {});
}

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
    if (stopped) return;
    if (!error && tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), *this)->Start();
    } else if (!error) {
      std::make_shared<Session<beast::tcp_stream>>(std::move(socket), *this)->Start();
    }
    Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options, HttpHandler handler) {
  return Start(options, ToAsyncHandler(std::move(handler)));
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options,
                                                              AsyncHttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    return absl::InvalidArgumentError("an HTTPS certificate and its key are set together or not at all");
  beast::error_code error;
  if (!options.tls_cert_file.empty()) {
    impl->tls.emplace(asio::ssl::context::tls_server);
    impl->tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1);
    impl->tls->use_certificate_chain_file(options.tls_cert_file, error);
    if (!error) impl->tls->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, error);
    if (error) {
      return absl::InvalidArgumentError(absl::StrCat("cannot load the HTTPS certificate ",
                                                     options.tls_cert_file, " and key ", options.tls_key_file,
                                                     ": ", error.message()));
    }
  }
  auto address = asio::ip::make_address(options.address, error);
  if (error) return absl::InvalidArgumentError(absl::StrCat("bad listen address '", options.address, "'"));
  tcp::endpoint endpoint(address, static_cast<uint16_t>(options.port));
  impl->acceptor.open(endpoint.protocol(), error);
  if (!error) impl->acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl->acceptor.bind(endpoint, error);
  if (!error) impl->acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.address, ":", options.port, ": ", error.message()));
  }
  impl->Accept();
  for (int i = 0; i < std::max(1, options.threads); ++i) {
    impl->threads.emplace_back([io = &impl->io] { io->run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::Stop() {
  if (impl_->stopped.exchange(true)) return;
  // Destroyed at the end of Stop(), after the I/O threads are gone but before the
  // io_context is.
  std::set<std::shared_ptr<SessionBase>> waiting = impl_->awaiting->Close();
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

namespace {

std::optional<HttpResponse> AdminRoute(const Health& health, const MetricsRegistry& metrics,
                                       const HttpRequest& request) {
  if (request.method != "GET") return std::nullopt;
  if (request.path == "/healthz") {
    Health::Report report = health.CheckLiveness();
    if (report.ready) return PlainResponse(200, "ok\n");
    return PlainResponse(503, absl::StrCat(absl::StrJoin(report.lines, "\n"), "\n"));
  }
  if (request.path == "/readyz") {
    Health::Report report = health.CheckReadiness();
    return PlainResponse(report.ready ? 200 : 503, absl::StrCat(absl::StrJoin(report.lines, "\n"), "\n"));
  }
  if (request.path == "/metrics") {
    HttpResponse response = PlainResponse(200, metrics.RenderPrometheus());
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  }
  return std::nullopt;
}

HttpResponse NoRoute(const HttpRequest& request) {
  return PlainResponse(404, absl::StrCat("no route for ", request.method, " ", request.path, "\n"));
}

}  // namespace

HttpHandler AdminHandler(const Health& health, const MetricsRegistry& metrics, HttpHandler next) {
  return [&health, &metrics, next = std::move(next)](const HttpRequest& request) -> HttpResponse {
    if (auto response = AdminRoute(health, metrics, request)) return *std::move(response);
    if (next) return next(request);
    return NoRoute(request);
  };
}

AsyncHttpHandler AdminHandler(const Health& health, const MetricsRegistry& metrics, AsyncHttpHandler next) {
  return [&health, &metrics, next = std::move(next)](HttpRequest request, HttpResponder responder) {
    if (auto response = AdminRoute(health, metrics, request)) {
      std::move(responder).Respond(*std::move(response));
    } else if (next) {
      next(std::move(request), std::move(responder));
    } else {
      std::move(responder).Respond(NoRoute(request));
    }
  };
}

}  // namespace custflow::core
