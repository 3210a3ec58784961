// The HTTP front end of ingest for web beacons: POST /v1/events on the service's HTTP
// port, next to the admin routes.
//
// Body: one JSON object, a JSON array of objects, or NDJSON (one object per line, blank
// lines ignored), each in the protobuf JSON mapping of custflow.v1.Interaction (unknown
// fields are errors). Content-Type application/json (object or array),
// application/x-ndjson, or text/plain, which navigator.sendBeacon sends for a string body
// and for which the shape is read from the content; a missing Content-Type counts as
// text/plain. Any charset other than UTF-8 is refused.
//
// Answer, always JSON: "results" holds one entry per event in request order, either
// {"index","event_id","stored":true,"customer_id","duplicate"} or
// {"index","event_id","stored":false,"code","message"}; "errors" holds one entry per
// rejected field, {"index","event_id","field","description"}, with field paths from the
// request ("events[3].customer.phone", or "events[3]" when the event is not valid JSON
// for an Interaction). Valid events are submitted even when others in the request are
// not (partial success), so the status is that of the most urgent outcome:
//   503 + Retry-After   some event could not be stored now (Kafka or Redis unavailable,
//                       or its id is being published by another request); resend the
//                       whole request with the same event ids: stored ones come back as
//                       duplicates
//   429 + Retry-After   too much in flight
//   500                 an unexpected submitter failure
//   400                 some event is invalid (the others are stored)
//   200                 every event is stored
// A request-level rejection has only "errors", with field "body", "content-type" or
// "method": 400 (not JSON, no events), 413 (body over max_request_bytes or more than
// max_events events), 415 (content type), 405 (method), 429 + Retry-After (whole seconds
// until the request fits) when the caller's principal is over its rate limit (field
// "authorization"; nothing of the request is submitted), 413 when the request has more
// events than the rate limit's burst.
//
// Authentication: a POST needs "Authorization: Bearer <token>" of a principal allowed to
// publish (IngestService/Publish); without a valid token it answers 401, for a role that may
// not publish 403, both before the body is read. Preflights and the admin routes behind
// this handler need none.
//
// CORS: a request whose Origin is allowed gets Access-Control-Allow-Origin (the origin
// itself) and may read the answer, Retry-After included; a preflight OPTIONS answers
// 204, or 403 for an origin not allowed. A POST from an origin not allowed is still
// processed, only without CORS headers: beacons are fire-and-forget and do not read the
// answer, and CORS protects the reader, not this server. Credentials are not allowed, so
// a credentialed beacon (sendBeacon of a JSON Blob) cannot pass a preflight; send strings
// (text/plain) or fetch with keepalive.
#pragma once

#include <string>
#include <vector>

#include "custflow/auth/request_authenticator.h"
#include "custflow/core/cors.h"
#include "custflow/core/http_server.h"
#include "services/ingest/event_submitter.h"
#include "services/ingest/ingest_rate_limit.h"

namespace custflow::ingest {

struct HttpIngestOptions {
  // Origins whose pages may read the answers, e.g. "https://shop.example.com"; "*"
  // allows every origin.
  std::vector<std::string> allowed_origins{};
  // Larger bodies answer 413. The HTTP server's own limit must not be lower.
  size_t max_request_bytes = 1 << 20;
  // More events in one request answer 413.
  size_t max_events = 1000;
  // Each principal's events per second, shared with IngestService; null for no limit.
  // Every event in the body counts, valid or not. Must outlive the handlers.
  IngestRateLimit* rate_limit = nullptr;
};

class HttpIngest {
 public:
  // `submitter` and `auth` must outlive the handlers made by this object, and this object
  // the server serving them.
  HttpIngest(EventSubmitter& submitter, const auth::RequestAuthenticator& auth, HttpIngestOptions options);

  // Serves POST and OPTIONS /v1/events and hands every other request to `next` (404 when
  // there is none). To share the admin port, either pass
  // core::ToAsyncHandler(core::AdminHandler(health, metrics)) as `next`, or put this
  // handler behind the admin routes: core::AdminHandler(health, metrics, Handler()).
  core::AsyncHttpHandler Handler(core::AsyncHttpHandler next = nullptr) const;

 private:
  void Handle(core::HttpRequest request, core::HttpResponder responder) const;
  void Post(const auth::Principal& caller, const core::HttpRequest& request, core::HttpResponse cors,
            core::HttpResponder responder) const;

  EventSubmitter& submitter_;
  HttpIngestOptions options_;
  core::CorsPolicy cors_;
  // Post behind runtime::RequireAuthentication.
  core::AsyncHttpHandler authenticated_post_;
};

}  // namespace custflow::ingest
