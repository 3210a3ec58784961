// Drives each rpc of a service through one generic bidirectional call on a completion
// queue, one operation at a time: the wire protocol is the same for every kind of rpc,
// only the number of request messages differs (one, or none for client streaming).
#include "tests/support/every_rpc.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <memory>

namespace custflow::testing {
namespace {

// Waits for the single operation in flight on `queue`; whether it succeeded.
bool Await(grpc::CompletionQueue& queue) {
  void* tag = nullptr;
  bool ok = false;
  return queue.Next(&tag, &ok) && ok;
}

grpc::StatusCode CallWithEmptyRequest(grpc::GenericStub& stub,
                                      const google::protobuf::MethodDescriptor& method,
                                      const std::string& authorization) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  grpc::CompletionQueue queue;
  const std::string path = "/" + method.service()->full_name() + "/" + method.name();
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&context, path, &queue);
  int tag = 0;  // one operation at a time, so every operation may share the tag

  call->StartCall(&tag);
  bool open = Await(queue);
  // A non-client-streaming rpc expects exactly one request: the empty message.
  if (open && !method.client_streaming()) {
    grpc::Slice empty;
    grpc::ByteBuffer request(&empty, 1);
    call->Write(request, &tag);
    open = Await(queue);
  }
  if (open) {
    call->WritesDone(&tag);
    Await(queue);
  }
  grpc::ByteBuffer response;
  do {
    call->Read(&response, &tag);
  } while (Await(queue));
  grpc::Status status;
  call->Finish(&status, &tag);
  Await(queue);

  queue.Shutdown();
  void* drained_tag = nullptr;
  bool drained_ok = false;
  while (queue.Next(&drained_tag, &drained_ok)) {
  }
  return status.error_code();
}

}  // namespace

std::map<std::string, grpc::StatusCode> CallEveryRpc(const std::string& target, const std::string& service,
                                                     const std::string& authorization) {
  std::map<std::string, grpc::StatusCode> codes;
  // Found only when the binary links the service's generated code, as a test of the
  // service does; an unknown service yields no entries, which the caller's checks catch.
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  if (descriptor == nullptr) return codes;
  grpc::GenericStub stub(grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *descriptor->method(i);
    codes[method.name()] = CallWithEmptyRequest(stub, method, authorization);
  }
  return codes;
}

}  // namespace custflow::testing
