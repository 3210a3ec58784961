// Who may call the ProfileService: every rpc, called over a real gRPC server with a real
// Redis behind it, answers UNAUTHENTICATED without a valid token and PERMISSION_DENIED to
// a role the permission table (custflow/auth/permissions.h) does not let call it. The
// expectations are read from that table, so it stays the only place that says who may.
#include <google/protobuf/descriptor.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "custflow/auth/permissions.h"
#include "custflow/auth/principal.h"
#include "custflow/auth/request_authenticator.h"
#include "custflow/auth/token_digest.h"
#include "custflow/auth/token_store.h"
#include "custflow/v1/profile.grpc.pb.h"
#include "services/profile/profile_service.h"
#include "services/profile/tests/profile_test_support.h"
#include "tests/support/every_rpc.h"

namespace custflow::profile::test {
namespace {

constexpr char kAdminToken[] = "profile-auth-test-admin-token";
constexpr char kSalesToken[] = "profile-auth-test-sales-token";
constexpr char kIngestToken[] = "profile-auth-test-ingest-token";

const auth::Principal kAdmin{.name = "root", .role = auth::Role::kAdmin};
const auth::Principal kSales{
    .name = "li.na", .role = auth::Role::kSales, .department = "east", .owner = "li.na"};
const auth::Principal kIngest{.name = "pos", .role = auth::Role::kIngest};

std::string Digest(const std::string& token) { return auth::DigestToHex(auth::DigestToken(token)); }

std::string TokenFile() {
  return "principals:\n"
         "  - name: root\n"
         "    role: admin\n"
         "    token_sha256: " +
         Digest(kAdminToken) +
         "\n"
         "  - name: li.na\n"
         "    role: sales\n"
         "    department: east\n"
         "    owner: li.na\n"
         "    token_sha256: " +
         Digest(kSalesToken) +
         "\n"
         "  - name: pos\n"
         "    role: ingest\n"
         "    token_sha256: " +
         Digest(kIngestToken) + "\n";
}

std::string FullMethod(const std::string& method) {
  return "/" + std::string(v1::ProfileService::service_full_name()) + "/" + method;
}

const google::protobuf::ServiceDescriptor& ProfileServiceDescriptor() {
  return *google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
      std::string(v1::ProfileService::service_full_name()));
}

bool RefusedByAuth(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED;
}

// A caller of the table below: what it sends, and who the token file says it is (none
// for a caller without a valid token).
struct Caller {
  std::string label;
  std::string authorization;
  std::optional<auth::Principal> principal;
};

class ProfileAuthTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(TokenFile(), "test-tokens.yaml");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    ASSERT_EQ(tokens->principal_count(), 3u);
    authenticator_.emplace(std::make_shared<const auth::TokenStore>(std::move(*tokens)));
    service_.emplace(*store_, producer_, *authenticator_,
                     ProfileServiceOptions{.commands_topic = kTopics.commands,
                                           .interactions_topic = kTopics.interactions});
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&*service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    target_ = "127.0.0.1:" + std::to_string(port);
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::map<std::string, grpc::StatusCode> CallEveryRpc(const std::string& authorization) {
    return custflow::testing::CallEveryRpc(target_, std::string(v1::ProfileService::service_full_name()),
                                           authorization);
  }

  std::optional<auth::RequestAuthenticator> authenticator_;
  std::optional<ProfileService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::string target_;
};

TEST_F(ProfileAuthTest, EveryRpcIsCalled) {
  std::map<std::string, grpc::StatusCode> answers = CallEveryRpc("");
  const google::protobuf::ServiceDescriptor& service = ProfileServiceDescriptor();
  ASSERT_EQ(answers.size(), static_cast<size_t>(service.method_count()));
  for (int i = 0; i < service.method_count(); ++i) {
    EXPECT_TRUE(answers.contains(service.method(i)->name())) << service.method(i)->name();
  }
}

TEST_F(ProfileAuthTest, EachRpcAnswersOnlyCallersItsPermissionAllows) {
  const std::vector<Caller> callers = {
      {.label = "no token", .authorization = "", .principal = std::nullopt},
      {.label = "unknown token", .authorization = "Bearer not-a-known-token", .principal = std::nullopt},
      {.label = "not bearer",
       .authorization = std::string("Basic ") + kAdminToken,
       .principal = std::nullopt},
      {.label = "admin", .authorization = std::string("Bearer ") + kAdminToken, .principal = kAdmin},
      {.label = "sales", .authorization = std::string("Bearer ") + kSalesToken, .principal = kSales},
      {.label = "ingest", .authorization = std::string("Bearer ") + kIngestToken, .principal = kIngest},
  };
  for (const Caller& caller : callers) {
    SCOPED_TRACE(caller.label);
    std::map<std::string, grpc::StatusCode> answers = CallEveryRpc(caller.authorization);
    ASSERT_FALSE(answers.empty());
    for (const auto& [method, code] : answers) {
      SCOPED_TRACE(method);
      if (!caller.principal) {
        EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED);
      } else if (!auth::Allows(*caller.principal, FullMethod(method))) {
        EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED);
      } else {
        // Empty requests: the handler may still refuse them, but not for who called.
        EXPECT_FALSE(RefusedByAuth(code)) << "status code " << code;
      }
    }
  }
}

TEST_F(ProfileAuthTest, AdministratorMayCallEveryRpcAndIngestNone) {
  // The table itself, spelled out for this service: nothing above holds vacuously.
  const google::protobuf::ServiceDescriptor& service = ProfileServiceDescriptor();
  for (int i = 0; i < service.method_count(); ++i) {
    const std::string full_method = FullMethod(service.method(i)->name());
    EXPECT_TRUE(auth::Allows(kAdmin, full_method)) << full_method;
    EXPECT_FALSE(auth::Allows(kIngest, full_method)) << full_method;
  }
  EXPECT_FALSE(auth::Allows(kSales, FullMethod("MergeCustomers")));
  EXPECT_TRUE(auth::Allows(kSales, FullMethod("GetProfile")));
}

}  // namespace
}  // namespace custflow::profile::test
