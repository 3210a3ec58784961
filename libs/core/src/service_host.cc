#include "custflow/core/service_host.h"

#include <grpcpp/health_check_service_interface.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "custflow/core/log.h"

namespace custflow::core {

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
  std::string host;
  int port = 0;
  if (!SplitHostPort(http_address_, host, port)) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP_ADDRESS '", http_address_, "' is not host:port"));
  }
  HttpServer::Options http_options;
  http_options.address = host;
  http_options.port = port;
  http_options.threads = http_threads_;
  auto http = HttpServer::Start(http_options, AdminHandler(health_, metrics_, http_handler_));
  if (!http.ok()) return http.status();
  http_server_ = std::move(*http);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(grpc_address_, grpc::InsecureServerCredentials(), &grpc_port_);
  for (grpc::Service* service : grpc_services_) builder.RegisterService(service);
  grpc_server_ = builder.BuildAndStart();
  if (!grpc_server_ || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen for gRPC on ", grpc_address_));
  }
  LogInfo("service started", {{"grpc_port", grpc_port_}, {"http_port", http_server_->port()}});
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
