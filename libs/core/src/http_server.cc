#include "custflow/core/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>

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

struct HttpServer::Impl {
  Options options;
  HttpHandler handler;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};

  void Accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server) : stream_(std::move(socket)), server_(server) {}

  void Read() {
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

 private:
  void OnRead(beast::error_code error, size_t) {
    if (error == http::error::body_limit) {
      Respond(PlainResponse(413, absl::StrCat("request body larger than ", server_.options.max_body_bytes, " bytes\n")),
              false);
      return;
    }
    if (error) return;  // closed, timed out or malformed: nothing to answer
    bool keep_alive = parser_->keep_alive();
    HttpRequest request = ToRequest(parser_->release());
    HttpResponse response;
    try {
      response = server_.handler(request);
    } catch (const std::exception& e) {
      LogError("http handler failed", {{"path", request.path}, {"error", e.what()}});
      response = PlainResponse(500, "internal error\n");
    }
    Respond(std::move(response), keep_alive);
  }

  void Respond(HttpResponse&& response, bool keep_alive) {
    response_ = {};
    response_.result(static_cast<unsigned>(response.status));
    response_.version(11);
    response_.set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) response_.set(name, value);
    response_.body() = std::move(response.body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code error, size_t) {
    if (error) return;
    if (!keep_alive) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    Read();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  HttpServer::Impl& server_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
    if (stopped) return;
    if (!error) std::make_shared<Session>(std::move(socket), *this)->Read();
    Accept();
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const Options& options, HttpHandler handler) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  beast::error_code error;
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
  impl_->io.stop();
  for (auto& thread : impl_->threads) thread.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

HttpHandler AdminHandler(const Health& health, const MetricsRegistry& metrics, HttpHandler next) {
  return [&health, &metrics, next = std::move(next)](const HttpRequest& request) -> HttpResponse {
    if (request.method == "GET" && request.path == "/healthz") return PlainResponse(200, "ok\n");
    if (request.method == "GET" && request.path == "/readyz") {
      Health::Report report = health.CheckReadiness();
      return PlainResponse(report.ready ? 200 : 503, absl::StrCat(absl::StrJoin(report.lines, "\n"), "\n"));
    }
    if (request.method == "GET" && request.path == "/metrics") {
      HttpResponse response = PlainResponse(200, metrics.RenderPrometheus());
      response.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return response;
    }
    if (next) return next(request);
    return PlainResponse(404, absl::StrCat("no route for ", request.method, " ", request.path, "\n"));
  };
}

}  // namespace custflow::core
