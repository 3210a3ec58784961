// custflow audit: the master-data audit log (who changed which customer field, from what to
// what), newest first, one line per changed field, following the pages of
// ReportingService.AuditLog up to a limit. Administrators only.
#pragma once

namespace custflow::tools {

// Runs `custflow audit [--customer ID] [--actor NAME] [--from RFC3339] [--to RFC3339]
// [--limit N]`; returns the exit code.
int Audit(int argc, char** argv);

}  // namespace custflow::tools
