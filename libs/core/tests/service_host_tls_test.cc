// The service host's transport settings on real ports: gRPC and HTTP over TLS, mutual TLS with
// certificates made by openssl for this run (a CA, a server certificate for localhost,
// a client certificate, and a client certificate of a stranger CA), and the request size
// limits of the gRPC and HTTP ports.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "custflow/core/service_host.h"
#include "custflow/v1/tagging.grpc.pb.h"
#include "tests/http_client.h"

namespace custflow::core {
namespace {

namespace fs = std::filesystem;

// Certificates and keys in a temporary directory, removed with the object.
class TestCertificates {
 public:
  TestCertificates() : dir_(fs::temp_directory_path() / ("custflow-tls-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
    ok_ = MakeCa("ca") && MakeCa("stranger-ca") &&
          MakeSigned("server", "ca", "subjectAltName=DNS:localhost") &&
          MakeSigned("client", "ca", "extendedKeyUsage=clientAuth") &&
          MakeSigned("stranger", "stranger-ca", "extendedKeyUsage=clientAuth");
  }
  ~TestCertificates() { fs::remove_all(dir_); }

  bool ok() const { return ok_; }
  std::string Pem(const std::string& name) const { return (dir_ / (name + ".pem")).string(); }
  std::string Key(const std::string& name) const { return (dir_ / (name + ".key")).string(); }

 private:
  bool Run(const std::string& command) const {
    return std::system(("cd '" + dir_.string() + "' && " + command + " >/dev/null 2>&1").c_str()) == 0;
  }
  bool WriteFile(const std::string& name, const std::string& text) const {
    std::ofstream out(dir_ / name);
    out << text;
    return static_cast<bool>(out);
  }
  bool MakeCa(const std::string& name) const {
    return Run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout " + name + ".key -out " + name +
               ".pem -subj '/CN=" + name + "'");
  }
  bool MakeSigned(const std::string& name, const std::string& ca, const std::string& extension) const {
    return Run("openssl req -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name +
               ".csr -subj '/CN=" + name + "'") &&
           WriteFile(name + ".ext", extension + "\n") &&
           Run("openssl x509 -req -days 1 -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
               ".key -CAcreateserial -extfile " + name + ".ext -out " + name + ".pem");
  }

  fs::path dir_;
  bool ok_ = false;
};

// The status of GET /healthz on the HTTP port at https://localhost (resolved to loopback),
// trusting `ca_file`; 0 when no answer came (e.g. the TLS handshake failed).
long HttpsStatus(int port, const std::string& ca_file, const std::string& scheme = "https") {
  CURL* curl = curl_easy_init();
  const std::string url = absl::StrCat(scheme, "://localhost:", port, "/healthz");
  curl_slist* resolve = curl_slist_append(nullptr, absl::StrCat("localhost:", port, ":127.0.0.1").c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
  curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char*, size_t size, size_t count, void*) { return size * count; });
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(resolve);
  curl_easy_cleanup(curl);
  return status;
}

const TestCertificates& Certificates() {
  static const TestCertificates certificates;
  return certificates;
}

// A host on loopback ports with `settings` (names without the CUSTFLOW_TEST_ prefix)
// serving a TaggingService whose rpcs all answer UNIMPLEMENTED: a call that gets that
// answer went through the transport.
class TransportTest : public ::testing::Test {
 protected:
  absl::Status Start(std::map<std::string, std::string> settings) {
    settings["GRPC_ADDRESS"] = "127.0.0.1:0";
    settings["HTTP_ADDRESS"] = "127.0.0.1:0";
    for (const auto& [name, value] : settings) environment_["CUSTFLOW_TEST_" + name] = value;
    config_ = std::make_unique<Config>("test", [this](const char* name) -> const char* {
      auto found = environment_.find(name);
      return found == environment_.end() ? nullptr : found->second.c_str();
    });
    host_ = std::make_unique<ServiceHost>("test", *config_);
    if (!config_->status().ok()) return config_->status();
    host_->AddGrpcService(&unimplemented_);
    return host_->Start();
  }

  // The code of an Explain call for a customer id of `id_bytes` bytes.
  grpc::StatusCode Call(const ClientTlsFiles& files, size_t id_bytes = 4) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials = ClientCredentials(files);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    if (!credentials.ok()) return grpc::StatusCode::INTERNAL;
    // The server's certificate names localhost; the test dials its loopback address.
    grpc::ChannelArguments arguments;
    arguments.SetSslTargetNameOverride("localhost");
    auto stub = v1::TaggingService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", host_->grpc_port()), *credentials, arguments));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::ExplainRequest request;
    request.set_customer_id(std::string(id_bytes, 'c'));
    v1::ExplainResponse response;
    return stub->Explain(&context, request, &response).error_code();
  }

  void TearDown() override {
    if (host_) host_->Drain();
  }

  std::map<std::string, std::string> environment_;
  std::unique_ptr<Config> config_;
  std::unique_ptr<ServiceHost> host_;
  v1::TaggingService::Service unimplemented_;
};

TEST_F(TransportTest, TlsServesClientsTrustingItsCaOnly) {
  const TestCertificates& certs = Certificates();
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  ASSERT_TRUE(Start({{"TLS_CERT_FILE", certs.Pem("server")}, {"TLS_KEY_FILE", certs.Key("server")}}).ok());
  EXPECT_EQ(Call({.ca_file = certs.Pem("ca")}), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(Call({}), grpc::StatusCode::UNAVAILABLE) << "a plaintext client";
  EXPECT_EQ(Call({.ca_file = certs.Pem("stranger-ca")}), grpc::StatusCode::UNAVAILABLE)
      << "a client trusting another CA";
  // The HTTP port speaks HTTPS with the same certificate.
  EXPECT_EQ(HttpsStatus(host_->http_port(), certs.Pem("ca")), 200);
  EXPECT_EQ(HttpsStatus(host_->http_port(), certs.Pem("stranger-ca")), 0) << "a client trusting another CA";
  EXPECT_EQ(HttpsStatus(host_->http_port(), certs.Pem("ca"), "http"), 0) << "plaintext HTTP";
}

TEST_F(TransportTest, MutualTlsServesClientsWithACertificateOfItsClientCaOnly) {
  const TestCertificates& certs = Certificates();
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  ASSERT_TRUE(Start({{"TLS_CERT_FILE", certs.Pem("server")},
                     {"TLS_KEY_FILE", certs.Key("server")},
                     {"TLS_CLIENT_CA_FILE", certs.Pem("ca")}})
                  .ok());
  EXPECT_EQ(
      Call({.ca_file = certs.Pem("ca"), .cert_file = certs.Pem("client"), .key_file = certs.Key("client")}),
      grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(Call({.ca_file = certs.Pem("ca")}), grpc::StatusCode::UNAVAILABLE) << "no client certificate";
  EXPECT_EQ(Call({.ca_file = certs.Pem("ca"),
                  .cert_file = certs.Pem("stranger"),
                  .key_file = certs.Key("stranger")}),
            grpc::StatusCode::UNAVAILABLE)
      << "a certificate of another CA";
}

TEST_F(TransportTest, IncompleteOrUnreadableTlsSettingsStopTheStart) {
  const TestCertificates& certs = Certificates();
  ASSERT_TRUE(certs.ok()) << "openssl could not make the test certificates";
  EXPECT_EQ(Start({{"TLS_CERT_FILE", certs.Pem("server")}}).code(), absl::StatusCode::kInvalidArgument);
  host_.reset();
  EXPECT_EQ(
      Start({{"TLS_CERT_FILE", certs.Pem("server")}, {"TLS_KEY_FILE", "/nonexistent/server.key"}}).code(),
      absl::StatusCode::kNotFound);
  host_.reset();
  environment_.clear();
  EXPECT_EQ(Start({{"TLS_CLIENT_CA_FILE", certs.Pem("ca")}}).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TransportTest, RequestsOverTheSizeLimitsAreRefused) {
  ASSERT_TRUE(Start({{"GRPC_MAX_MESSAGE_BYTES", "1024"}, {"HTTP_MAX_BODY_BYTES", "64"}}).ok());
  EXPECT_EQ(Call({}, 512), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(Call({}, 4096), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const std::string url = absl::StrCat("http://127.0.0.1:", host_->http_port(), "/readyz");
  EXPECT_NE(testing::Send("POST", url, std::string(32, 'x')).status, 413);
  EXPECT_EQ(testing::Send("POST", url, std::string(4096, 'x')).status, 413);
}

}  // namespace
}  // namespace custflow::core
