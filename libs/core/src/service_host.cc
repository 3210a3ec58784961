#include "custflow/core/service_host.h"

#include <grpcpp/health_check_service_interface.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "custflow/core/grpc_metrics.h"
#include "custflow/core/log.h"
#include "custflow/core/request_metrics.h"

namespace custflow::core {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read TLS file ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const TlsFiles& files) {
  if (files.cert_file.empty() && files.key_file.empty()) {
    if (!files.client_ca_file.empty())
      return absl::InvalidArgumentError("TLS_CLIENT_CA_FILE needs TLS_CERT_FILE and TLS_KEY_FILE");
    return grpc::InsecureServerCredentials();
  }
  if (files.cert_file.empty() || files.key_file.empty())
    return absl::InvalidArgumentError("TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all");
  absl::StatusOr<std::string> cert = ReadPem(files.cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(files.key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  if (!files.client_ca_file.empty()) {
    absl::StatusOr<std::string> client_ca = ReadPem(files.client_ca_file);
    if (!client_ca.ok()) return client_ca.status();
    options.pem_root_certs = *std::move(client_ca);
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const ClientTlsFiles& files) {
  if (files.ca_file.empty()) return grpc::InsecureChannelCredentials();
  if (files.cert_file.empty() != files.key_file.empty())
    return absl::InvalidArgumentError("a client certificate and its key are set together or not at all");
  grpc::SslCredentialsOptions options;
  absl::StatusOr<std::string> ca = ReadPem(files.ca_file);
  if (!ca.ok()) return ca.status();
  options.pem_root_certs = *std::move(ca);
  if (!files.cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(files.cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(files.key_file);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *std::move(cert);
    options.pem_private_key = *std::move(key);
  }
  return grpc::SslCredentials(options);
}

bool SplitHostPort(const std::string& address, std::string& host, int& port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return absl::SimpleAtoi(address.substr(colon + 1), &port) && port >= 0 && port <= 65535;
}

ServiceHost::ServiceHost(std::string name, Config& config) : name_(std::move(name)) {
  // Debian's Abseil checks every mutex acquisition for lock-order cycles, which gRPC's
  // many mutexes pay on each call (about 4 % of a GetProfile's CPU); the services do not
  // rely on it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  std::string level_text =
      config.Choice("LOG_LEVEL", "info", {"debug", "info", "warn", "error"}, "Lowest log level written.");
  grpc_address_ =
      config.String("GRPC_ADDRESS", "0.0.0.0:50051", "Address the gRPC API listens on (host:port).");
  http_address_ = config.String("HTTP_ADDRESS", "0.0.0.0:8080",
                                "Address of the HTTP port with /healthz, /readyz and /metrics (host:port).");
  http_threads_ = static_cast<int>(config.Int("HTTP_THREADS", 1, "Threads serving the HTTP port."));
  drain_timeout_ = config.Duration("DRAIN_TIMEOUT", std::chrono::seconds(20),
                                   "On SIGTERM, how long in-flight work may take to finish.");
  grpc_max_message_bytes_ = config.Int("GRPC_MAX_MESSAGE_BYTES", 4 << 20,
                                       "Largest gRPC request message accepted; larger ones answer "
                                       "RESOURCE_EXHAUSTED.");
  http_max_body_bytes_ =
      config.Int("HTTP_MAX_BODY_BYTES", 8 << 20,
                 "Largest HTTP request body accepted on the HTTP port; larger ones answer 413.");
  tls_.cert_file =
      config.String("TLS_CERT_FILE", "",
                    "PEM certificate chain; with TLS_KEY_FILE, gRPC and the HTTP port are served over "
                    "TLS only (docs/SECURITY.md).");
  tls_.key_file = config.String("TLS_KEY_FILE", "", "PEM private key of TLS_CERT_FILE.");
  tls_.client_ca_file = config.String("TLS_CLIENT_CA_FILE", "",
                                      "PEM CA certificates: when set (with TLS), gRPC clients must present a "
                                      "certificate they signed (mutual TLS).");
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(level_text, level);
  InitLogging(name_, level);
}

ServiceHost::~ServiceHost() { Drain(); }

std::optional<int> ServiceHost::Preflight(int argc, char** argv, const Config& config) const {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--help") {
      std::printf("custflow-%s: configured by environment variables only.\n%s", name_.c_str(),
                  config.HelpText().c_str());
      return 0;
    }
  }
  if (absl::Status status = config.status(); !status.ok()) {
    LogError("bad configuration", {{"error", std::string(status.message())}});
    return 2;
  }
  return std::nullopt;
}

absl::Status ServiceHost::Start() {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = ServerCredentials(tls_);
  if (!credentials.ok()) return credentials.status();
  std::string host;
  int port = 0;
  if (!SplitHostPort(http_address_, host, port)) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP_ADDRESS '", http_address_, "' is not host:port"));
  }
  HttpServer::Options http_options;
  http_options.address = host;
  http_options.port = port;
  http_options.threads = http_threads_;
  http_options.max_body_bytes = static_cast<size_t>(http_max_body_bytes_);
  http_options.tls_cert_file = tls_.cert_file;
  http_options.tls_key_file = tls_.key_file;
  auto http = HttpServer::Start(
      http_options, InstrumentHttpHandler(metrics_, AdminHandler(health_, metrics_, http_handler_)));
  if (!http.ok()) return http.status();
  http_server_ = std::move(*http);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(grpc_address_, *credentials, &grpc_port_);
  builder.SetMaxReceiveMessageSize(static_cast<int>(grpc_max_message_bytes_));
  for (grpc::Service* service : grpc_services_) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<GrpcMetricsInterceptorFactory>(metrics_));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  grpc_server_ = builder.BuildAndStart();
  if (!grpc_server_ || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", grpc_address_));
  }
  LogInfo("service started", {{"grpc_port", grpc_port_},
                              {"http_port", http_server_->port()},
                              {"grpc_tls", tls_.cert_file.empty()        ? "off"
                                           : tls_.client_ca_file.empty() ? "on"
                                                                         : "mutual"}});
  return absl::OkStatus();
}

void ServiceHost::Drain() {
  health_.SetDraining();
  if (grpc_server_) {
    grpc_server_->GetHealthCheckService()->SetServingStatus(false);
    grpc_server_->Shutdown(std::chrono::system_clock::now() + drain_timeout_);
    grpc_server_->Wait();
    grpc_server_.reset();
    LogInfo("gRPC server drained");
  }
  if (http_server_) {
    http_server_->Stop();
    http_server_.reset();
  }
}

}  // namespace custflow::core
