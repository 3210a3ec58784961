// The callers of the services' auth and row-scope tests: one principal of each role with
// its token, the token file that accepts them, a service on a loopback gRPC server, and
// the checks every service's auth test makes of every rpc.
#pragma once

#include <grpcpp/grpcpp.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "custflow/auth/principal.h"
#include "custflow/auth/request_authenticator.h"

namespace custflow::testing {

// A token of the test token file and the principal it stands for.
struct TestCaller {
  std::string token;
  auth::Principal principal;
};

// root (admin), boss.east (manager of department "east"), rep.x (sales in "east", owner
// "x"), tagger (service) and pos (ingest), in that order.
const std::vector<TestCaller>& CallersOfEveryRole();
const TestCaller& CallerOf(auth::Role role);
// "Bearer <token>".
std::string Bearer(const TestCaller& caller);

// The YAML token file accepting CallersOfEveryRole(), and an authenticator reading it.
std::string TestTokenFile();
auth::RequestAuthenticator TestAuthenticator();

// `services` served on 127.0.0.1 on a free port.
struct LoopbackServer {
  std::unique_ptr<grpc::Server> server;
  std::string target;  // "127.0.0.1:PORT"
};
LoopbackServer ServeOnLoopback(std::initializer_list<grpc::Service*> services);

// "/<service>/<method>", e.g. "/custflow.v1.ProfileService/GetProfile".
std::string FullMethod(const std::string& service, const std::string& method);

// Every rpc of `service` called without a token, with an unknown one and with Basic
// credentials answers UNAUTHENTICATED. Returns how many rpcs were called each time.
size_t ExpectEveryRpcRefusesCallersWithoutAValidToken(const std::string& target, const std::string& service);

// Every rpc of `service` called as `caller` answers PERMISSION_DENIED exactly where
// auth::Allows refuses it, and never UNAUTHENTICATED; returns the answers by method.
std::map<std::string, grpc::StatusCode> ExpectAnswersFollowThePermissionTable(const std::string& target,
                                                                              const std::string& service,
                                                                              const TestCaller& caller);

}  // namespace custflow::testing
