// Calls every rpc of a gRPC service by name, with an empty request and optional
// "authorization" metadata, through grpc::GenericStub: the auth tests of each service use
// it to show that no rpc answers without a valid token, whatever the code behind it.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <string>

namespace custflow::testing {

// Method name (e.g. "GetProfile") -> the status the server answered, for every rpc of
// `service` ("custflow.v1.ProfileService", read from the generated descriptors) on
// `target` ("127.0.0.1:PORT"). Streaming calls send no message and close their side.
// `authorization` is sent as metadata unless empty; each call has a 10 s deadline.
std::map<std::string, grpc::StatusCode> CallEveryRpc(const std::string& target, const std::string& service,
                                                     const std::string& authorization);

}  // namespace custflow::testing
