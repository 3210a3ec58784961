// custflow distribution: customer counts by one dimension or a cross table of two, with
// filters and top-N. Turning options into a request and a response into text are pure
// functions, tested without a server; DistributionCommand adds the gRPC call.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "custflow/v1/reporting.pb.h"

namespace custflow::tools {

// The request the options ask for, or the message saying which option is wrong. Options:
//   --by D (default province), --by2 D, --top N, --type potential,closed,lost,
//   --from YYYY-MM-DD, --to YYYY-MM-DD (first contact, UTC days, both inclusive),
//   --stage --department --team --owner --province --city --district --industry --source
//   --tag, each a comma-separated list of values, any of which matches.
// Dimensions: province city district department team owner industry source type stage tag
// and day week month quarter year (new customers by period of first contact).
std::variant<v1::DistributionRequest, std::string> DistributionRequestFromOptions(
    const std::map<std::string, std::string>& options);

// A one-dimension distribution as a table of value, customers and interactions; a cross
// table as a matrix of customers, rows the first dimension's values, columns the
// second's, each ordered by customers, "(other)" last. Both end with the total customers.
// `by` and `by2` label the matrix's corner.
std::string FormatDistribution(const v1::DistributionResponse& distribution, const std::string& by,
                               const std::string& by2);

// Runs `custflow distribution ...`; returns the exit code.
int DistributionCommand(int argc, char** argv);

}  // namespace custflow::tools
