// The wiring every service's main shares: logging, metrics, the admin HTTP port
// (/healthz, /readyz, /metrics), the gRPC server with the standard gRPC health service,
// and a graceful stop on SIGTERM. A service's main creates one first thing, adds its
// gRPC services and readiness checks, starts it, runs its own loops until shutdown is
// requested, then calls Drain().
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "custflow/core/config.h"
#include "custflow/core/health.h"
#include "custflow/core/http_server.h"
#include "custflow/core/metrics.h"
#include "custflow/core/shutdown.h"

namespace custflow::core {

// Where a gRPC server's TLS material is (PEM files); all empty for plaintext.
struct TlsFiles {
  std::string cert_file{};
  std::string key_file{};
  std::string client_ca_file{};
};

class ServiceHost {
 public:
  // Declares the shared settings (LOG_LEVEL, GRPC_ADDRESS, HTTP_ADDRESS, HTTP_THREADS,
  // DRAIN_TIMEOUT, GRPC_MAX_MESSAGE_BYTES, HTTP_MAX_BODY_BYTES, TLS_CERT_FILE,
  // TLS_KEY_FILE, TLS_CLIENT_CA_FILE) on `config` and blocks SIGTERM/SIGINT for every
  // later thread.
  ServiceHost(std::string name, Config& config);
  ~ServiceHost();

  MetricsRegistry& metrics() { return metrics_; }
  Health& health() { return health_; }
  ShutdownSignal& shutdown() { return shutdown_; }
  const std::string& name() const { return name_; }

  // Handles `--help` (prints every declared setting) and an invalid configuration (logs
  // every bad value). Call after declaring all settings; a value means main should
  // return it now.
  std::optional<int> Preflight(int argc, char** argv, const Config& config) const;

  // Registers a gRPC service; call before Start(). The service must outlive the host.
  void AddGrpcService(grpc::Service* service) { grpc_services_.push_back(service); }
  // Serves extra HTTP routes on the admin port besides /healthz, /readyz and /metrics.
  void SetHttpHandler(HttpHandler handler) { http_handler_ = ToAsyncHandler(std::move(handler)); }
  void SetHttpHandler(AsyncHttpHandler handler) { http_handler_ = std::move(handler); }

  // Starts the admin HTTP server and the gRPC server; fails when a port cannot be bound.
  absl::Status Start();
  // Ports actually bound (useful when configured as 0).
  int grpc_port() const { return grpc_port_; }
  int http_port() const { return http_server_ ? http_server_->port() : 0; }

  // Marks the service not ready, stops taking gRPC calls and waits for in-flight ones up
  // to the drain timeout, then stops the HTTP server.
  void Drain();

 private:
  std::string name_;
  ShutdownSignal shutdown_;
  MetricsRegistry metrics_;
  Health health_;
  std::string grpc_address_;
  std::string http_address_;
  int http_threads_;
  std::chrono::milliseconds drain_timeout_;
  int64_t grpc_max_message_bytes_;
  int64_t http_max_body_bytes_;
  TlsFiles tls_;
  std::vector<grpc::Service*> grpc_services_;
  AsyncHttpHandler http_handler_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<HttpServer> http_server_;
  int grpc_port_ = 0;
};

// The gRPC server credentials of `files`: insecure when no certificate is set, TLS with
// the certificate and key, mutual TLS with a client CA as well. INVALID_ARGUMENT for half
// a pair or a client CA without a certificate, NOT_FOUND for a file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(const TlsFiles& files);

// Where a gRPC client's TLS material is (PEM files): the CA that signed the servers'
// certificates, and the client's own certificate and key for mutual TLS.
struct ClientTlsFiles {
  std::string ca_file{};
  std::string cert_file{};
  std::string key_file{};
};

// gRPC channel credentials for a client: plaintext without a CA file, else TLS trusting
// it and, with a certificate and key, presenting them (mutual TLS). NOT_FOUND for a file
// that cannot be read, INVALID_ARGUMENT for half a pair.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(const ClientTlsFiles& files);

// Splits "host:port" into its parts; false when there is no numeric port.
bool SplitHostPort(const std::string& address, std::string& host, int& port);

}  // namespace custflow::core
