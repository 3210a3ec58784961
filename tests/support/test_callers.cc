// Test principals, their token file and the shared auth checks.
#include "tests/support/test_callers.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "custflow/auth/permissions.h"
#include "custflow/auth/token_digest.h"
#include "custflow/auth/token_store.h"
#include "tests/support/every_rpc.h"

namespace custflow::testing {

const std::vector<TestCaller>& CallersOfEveryRole() {
  static const std::vector<TestCaller> callers = {
      {"admin-token", {.name = "root", .role = auth::Role::kAdmin, .pii = true}},
      {"manager-token", {.name = "boss.east", .role = auth::Role::kManager, .department = "east"}},
      {"sales-token", {.name = "rep.x", .role = auth::Role::kSales, .department = "east", .owner = "x"}},
      {"service-token", {.name = "tagger", .role = auth::Role::kService}},
      {"ingest-token", {.name = "pos", .role = auth::Role::kIngest}},
  };
  return callers;
}

const TestCaller& CallerOf(auth::Role role) {
  for (const TestCaller& caller : CallersOfEveryRole()) {
    if (caller.principal.role == role) return caller;
  }
  return CallersOfEveryRole().front();
}

std::string Bearer(const TestCaller& caller) { return "Bearer " + caller.token; }

std::string TestTokenFile() {
  std::string file = "principals:\n";
  for (const TestCaller& caller : CallersOfEveryRole()) {
    const auth::Principal& principal = caller.principal;
    absl::StrAppend(&file, "  - name: ", principal.name,
                    "\n    role: ", std::string(auth::RoleName(principal.role)), "\n");
    if (!principal.department.empty()) absl::StrAppend(&file, "    department: ", principal.department, "\n");
    if (!principal.owner.empty()) absl::StrAppend(&file, "    owner: ", principal.owner, "\n");
    absl::StrAppend(&file, "    token_sha256: ", auth::DigestToHex(auth::DigestToken(caller.token)), "\n");
  }
  return file;
}

auth::RequestAuthenticator TestAuthenticator() {
  absl::StatusOr<auth::TokenStore> tokens = auth::TokenStore::Parse(TestTokenFile(), "test-tokens.yaml");
  EXPECT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->principal_count(), CallersOfEveryRole().size());
  return auth::RequestAuthenticator(std::make_shared<const auth::TokenStore>(*std::move(tokens)));
}

LoopbackServer ServeOnLoopback(std::initializer_list<grpc::Service*> services) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  for (grpc::Service* service : services) builder.RegisterService(service);
  LoopbackServer served;
  served.server = builder.BuildAndStart();
  EXPECT_NE(port, 0) << "no loopback port";
  served.target = absl::StrCat("127.0.0.1:", port);
  return served;
}

std::string FullMethod(const std::string& service, const std::string& method) {
  return absl::StrCat("/", service, "/", method);
}

size_t ExpectEveryRpcRefusesCallersWithoutAValidToken(const std::string& target, const std::string& service) {
  size_t called = 0;
  for (const std::string& authorization : {std::string(), std::string("Bearer not-a-known-token"),
                                           "Basic " + CallerOf(auth::Role::kAdmin).token}) {
    std::map<std::string, grpc::StatusCode> answers = CallEveryRpc(target, service, authorization);
    called = answers.size();
    for (const auto& [method, code] : answers) {
      EXPECT_EQ(code, grpc::StatusCode::UNAUTHENTICATED) << method << " with '" << authorization << "'";
    }
  }
  return called;
}

std::map<std::string, grpc::StatusCode> ExpectAnswersFollowThePermissionTable(const std::string& target,
                                                                              const std::string& service,
                                                                              const TestCaller& caller) {
  std::map<std::string, grpc::StatusCode> answers = CallEveryRpc(target, service, Bearer(caller));
  for (const auto& [method, code] : answers) {
    const std::string full_method = FullMethod(service, method);
    SCOPED_TRACE(full_method + " as " + caller.principal.name);
    EXPECT_NE(code, grpc::StatusCode::UNAUTHENTICATED);
    if (auth::Allows(caller.principal, full_method)) {
      EXPECT_NE(code, grpc::StatusCode::PERMISSION_DENIED);
    } else {
      EXPECT_EQ(code, grpc::StatusCode::PERMISSION_DENIED);
    }
  }
  return answers;
}

}  // namespace custflow::testing
