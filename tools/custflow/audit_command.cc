#include "tools/custflow/audit_command.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <string>

#include "custflow/v1/reporting.grpc.pb.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

constexpr size_t kDefaultLimit = 100;
// The service's largest page.
constexpr size_t kMaxPage = 1000;

constexpr char kUsage[] =
    "usage: custflow audit [--customer ID] [--actor NAME] [--from RFC3339] [--to RFC3339] [--limit N]\n"
    "       e.g. --from 2026-11-01T00:00:00Z (changes at or after --from and before --to)\n";

bool ParseTime(const std::string& option, const std::string& text, google::protobuf::Timestamp& out) {
  if (google::protobuf::util::TimeUtil::FromString(text, &out)) return true;
  std::fprintf(stderr, "custflow audit: %s takes an RFC 3339 time such as 2026-11-01T00:00:00Z, not '%s'\n",
               option.c_str(), text.c_str());
  return false;
}

// "<time> <customer> <actor> <origin> <field>: <old> -> <new>"; empty values show as "''"
// so a field set for the first time reads as such.
void PrintEntry(const v1::AuditEntry& entry) {
  auto shown = [](const std::string& value) { return value.empty() ? std::string("''") : value; };
  std::printf("%s %s %s %s %s: %s -> %s\n",
              google::protobuf::util::TimeUtil::ToString(entry.changed_at()).c_str(),
              Column(entry.customer_id(), 20).c_str(), Column(entry.actor(), 12).c_str(),
              Column(entry.origin(), 16).c_str(), entry.field().c_str(), shown(entry.old_value()).c_str(),
              shown(entry.new_value()).c_str());
}

}  // namespace

int Audit(int argc, char** argv) {
  v1::AuditLogRequest request;
  size_t limit = kDefaultLimit;
  for (const auto& [name, value] : Options(argc, argv, 2)) {
    if (name == "--customer") {
      request.set_customer_id(value);
    } else if (name == "--actor") {
      request.set_actor(value);
    } else if (name == "--from") {
      if (!ParseTime(name, value, *request.mutable_from())) return 2;
    } else if (name == "--to") {
      if (!ParseTime(name, value, *request.mutable_to())) return 2;
    } else if (name == "--limit") {
      auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), limit);
      if (error != std::errc() || end != value.data() + value.size() || limit == 0) {
        std::fprintf(stderr, "custflow audit: --limit takes a positive number, not '%s'\n", value.c_str());
        return 2;
      }
    } else {
      std::fprintf(stderr, "custflow audit: unknown option %s\n%s", name.c_str(), kUsage);
      return 2;
    }
  }
  if ((argc - 2) % 2 != 0) {
    std::fprintf(stderr, "custflow audit: %s needs a value\n%s", argv[argc - 1], kUsage);
    return 2;
  }
  auto reporting = v1::ReportingService::NewStub(Connect("CUSTFLOW_REPORTING_ADDRESS", "127.0.0.1:17054"));
  size_t shown = 0;
  do {
    request.set_page_size(static_cast<uint32_t>(std::min(limit - shown, kMaxPage)));
    grpc::ClientContext context;
    PrepareCall(context, 30);
    v1::AuditLogResponse page;
    if (grpc::Status status = reporting->AuditLog(&context, request, &page); !status.ok()) {
      return Fail("audit", status);
    }
    for (const v1::AuditEntry& entry : page.entries()) PrintEntry(entry);
    shown += static_cast<size_t>(page.entries_size());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && shown < limit);
  std::printf("(%zu shown%s)\n", shown, request.page_token().empty() ? "" : "; more changes match");
  return 0;
}

}  // namespace custflow::tools
