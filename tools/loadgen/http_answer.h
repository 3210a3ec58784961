// Reading the answer of ingest's POST /v1/events (services/ingest/http_ingest.h). The
// body's "results" hold one entry per event: {"event_id", "stored": true, "duplicate"} or
// {"event_id", "stored": false, "code": "INVALID_ARGUMENT", "message"}, and "errors" the
// field violations by event id. Numeric codes and the camelCase names of the protobuf
// JSON mapping of EventResult are read too. An answer without per-event results speaks
// for the whole request through its HTTP status and its "errors".
#pragma once

#include <string>
#include <string_view>

#include "custflow/v1/ingest.pb.h"

namespace custflow::loadgen {

struct HttpAnswer {
  google::protobuf::RepeatedPtrField<v1::EventResult> results;  // per event, when the body has them
  int code = 0;                                                 // gRPC code of the request as a whole
  std::string message;  // for a failed request: the HTTP status and the server's text
};

HttpAnswer ParseHttpAnswer(long http_status, std::string_view body);

// The gRPC status code that means what `http_status` means (the mapping of the gRPC spec
// for HTTP errors, plus 400, 409 and 413 as ingest uses them).
int GrpcCodeForHttpStatus(long http_status);

}  // namespace custflow::loadgen
