// What each role may call: every rpc of the four services needs one permission, each role
// holds a set of permissions, and a method not in the table is denied. HTTP routes map to
// the rpc they stand for.
#pragma once

#include <optional>
#include <string_view>

#include "custflow/auth/principal.h"

namespace custflow::auth {

enum class Permission {
  // Publish events (IngestService).
  kWriteEvents,
  // Read profiles, segments, rules and reports (within the row scope).
  kRead,
  // Change and check customer master data: upsert, follow-ups, import, duplicates, quality.
  kMasterData,
  // Merge customers, reload or validate rules, sweep: administrators only.
  kAdminister,
};

// The permission "/custflow.v1.<Service>/<Method>" needs, or nullopt for an unknown method.
std::optional<Permission> RequiredPermission(std::string_view full_method);

bool Grants(Role role, Permission permission);

// Whether `principal` may call `full_method` ("/custflow.v1.ProfileService/GetProfile").
bool Allows(const Principal& principal, std::string_view full_method);

// The rpc an HTTP route stands for: "POST /v1/events" is IngestService/Publish and
// "POST /v1/reports/<Method>[.<extension>]" is ReportingService/<Method>. Other routes
// (and CORS preflights, which carry no credentials) have none.
std::optional<std::string_view> RpcOfHttpRoute(std::string_view http_method, std::string_view path);

// Whether `principal` may call the HTTP route; routes without an rpc are denied.
bool AllowsHttpRoute(const Principal& principal, std::string_view http_method, std::string_view path);

}  // namespace custflow::auth
