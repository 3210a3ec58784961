// AuditLog: the master-data changes (upserts, imported rows, merges) the profile service
// applied, one entry per changed field, read newest first from ClickHouse's audit_log
// table (filled by the reporting schema's view from profile_versions), page by page.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "custflow/auth/principal.h"
#include "custflow/clickhouse/clickhouse_client.h"
#include "custflow/v1/reporting.pb.h"

namespace custflow::reporting {

// The query of one page: the request's filters, the entries after its page_token, and one
// row more than the page holds, so the reader knows whether another page follows. Every
// value is bound; the rows stay within `scope`. INVALID_ARGUMENT, naming the field, for a
// page_size past 1000, a `from` not before `to`, a time out of DateTime's range or a
// page_token this service did not issue.
absl::StatusOr<std::string> AuditLogSql(const v1::AuditLogRequest& request, const auth::RowScope& scope);

// One page of entries, newest first (the fields of one change in their order), with a
// next_page_token when more may follow.
absl::StatusOr<v1::AuditLogResponse> QueryAuditLog(clickhouse::ClickHouseClient& client,
                                                   const v1::AuditLogRequest& request,
                                                   const auth::RowScope& scope);

}  // namespace custflow::reporting
