// `custflow tags ...`: the tagging service from the command line.
//   custflow tags rules
//       The rules in force: tag rules (id, tag, condition) and scores (indicators, weights,
//       grades), the rule set version and where it was loaded from.
//   custflow tags explain CUSTOMER_ID [--matched]
//       Every score and rule evaluated for one customer with its inputs (--matched: only the
//       rules that hold), and the tags and grade the rules give against those the profile has.
//   custflow tags segment EXPRESSION [--page-size N] [--all]
//       Ids of the customers in a segment such as 'value:high and not follow-up:high'; the
//       first page, or with --all every page.
//   custflow tags history CUSTOMER_ID [--tag T] [--limit N]
//       Tags gained and lost, most recent first.
//   custflow tags validate FILE [--dry-run]
//       Checks a rule file (errors as FILE:LINE:COLUMN: reason, exit 1); with --dry-run
//       also how many customers each tag would gain or lose.
//   custflow tags reload
//       Makes the service read its rule file again.
//   custflow tags sweep
//       Evaluates every customer now, printing progress as it goes.
// The service's address comes from CUSTFLOW_TAGGING_ADDRESS.
#pragma once

namespace custflow::tools {

// Runs `custflow tags <sub> ...` (argv[1] is "tags"); returns the process exit code: 0 on
// success, 1 when the service or a checked file reports an error, 2 on a usage error.
int Tags(int argc, char** argv);

}  // namespace custflow::tools
