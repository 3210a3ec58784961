// `custflow tags ...`: one function per subcommand over TaggingService, chosen from a table
// that also holds each subcommand's usage and options.
#include "tools/custflow/tags_commands.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "custflow/v1/tagging.grpc.pb.h"
#include "tools/custflow/cli_support.h"

namespace custflow::tools {
namespace {

using Stub = v1::TaggingService::Stub;

// The arguments after `custflow tags <sub>`.
struct TagsArguments {
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;
  std::set<std::string> switches;
};

struct TagsCommand {
  const char* name;
  // What follows "custflow tags " in the usage line.
  const char* usage;
  size_t positional;
  std::set<std::string> valued;
  std::set<std::string> switches;
  int (*run)(Stub& tagging, const TagsArguments& arguments);
};

unsigned long long Count(uint64_t n) { return static_cast<unsigned long long>(n); }

std::string TimeText(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return google::protobuf::util::TimeUtil::ToString(time);
}

// Conditions written over several lines in the rule file, on one line.
std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Widest display width among `texts` and `header`.
size_t WidthOf(const std::vector<std::string>& texts, std::string_view header) {
  size_t width = DisplayWidth(header);
  for (const std::string& text : texts) width = std::max(width, DisplayWidth(text));
  return width;
}

void PrintScoreRules(const v1::ListRulesResponse& response) {
  for (const v1::ScoreRule& score : response.scores()) {
    std::printf("\n%s@%u -> %s:<grade>%s: %s\n", score.id().c_str(), score.version(), score.tag_key().c_str(),
                score.profile_grade() ? " (also the profile's grade)" : "",
                OneLine(score.description()).c_str());
    std::printf("  grades: %s\n", absl::StrJoin(score.grades(), ", ").c_str());
    std::vector<std::string> names;
    std::vector<std::string> values;
    for (const v1::ScoreIndicator& indicator : score.indicators()) {
      names.push_back(indicator.name());
      values.push_back(OneLine(indicator.value()));
    }
    size_t name_width = WidthOf(names, "indicator");
    size_t value_width = WidthOf(values, "value");
    std::printf("  %s %6s  %s  %s\n", Column("indicator", name_width).c_str(), "weight",
                Column("value", value_width).c_str(), "points by band");
    for (int i = 0; i < score.indicators_size(); ++i) {
      const v1::ScoreIndicator& indicator = score.indicators(i);
      std::printf("  %s %6g  %s  %s\n", Column(names[i], name_width).c_str(), indicator.weight(),
                  Column(values[i], value_width).c_str(), absl::StrJoin(indicator.bands(), "; ").c_str());
    }
  }
}

int Rules(Stub& tagging, const TagsArguments&) {
  grpc::ClientContext context;
  PrepareCall(context, 10);
  v1::ListRulesResponse response;
  if (grpc::Status status = tagging.ListRules(&context, {}, &response); !status.ok()) {
    return Fail("tags rules", status);
  }
  std::printf("rule set %s from %s, loaded %s: %d rules, %d scores\n\n", response.version().c_str(),
              response.source().c_str(), TimeText(response.loaded_at()).c_str(), response.rules_size(),
              response.scores_size());
  std::vector<std::string> ids;
  std::vector<std::string> tags;
  for (const v1::TagRule& rule : response.rules()) {
    ids.push_back(rule.id() + "@" + std::to_string(rule.version()));
    tags.push_back(rule.tag());
  }
  size_t id_width = WidthOf(ids, "rule");
  size_t tag_width = WidthOf(tags, "tag");
  std::printf("%s %s %s\n", Column("rule", id_width).c_str(), Column("tag", tag_width).c_str(), "condition");
  for (int i = 0; i < response.rules_size(); ++i) {
    std::printf("%s %s %s\n", Column(ids[i], id_width).c_str(), Column(tags[i], tag_width).c_str(),
                OneLine(response.rules(i).condition()).c_str());
  }
  PrintScoreRules(response);
  return 0;
}

std::string InputsText(const v1::RuleResult& rule) {
  std::vector<std::string> inputs;
  for (const v1::RuleInput& input : rule.inputs()) inputs.push_back(input.name() + "=" + input.value());
  return absl::StrJoin(inputs, ", ");
}

void PrintScoreResults(const v1::ExplainResponse& response) {
  std::printf("\nscores:\n");
  for (const v1::ScoreResult& score : response.scores()) {
    if (!score.tag().empty()) {
      std::printf("  %s@%u: %.1f -> %s\n", score.score_id().c_str(), score.version(), score.score(),
                  score.tag().c_str());
    } else if (score.indicators().empty()) {
      std::printf("  %s@%u: no grade (it does not apply, or an earlier score set its key)\n",
                  score.score_id().c_str(), score.version());
    } else {
      std::printf("  %s@%u: no grade (no indicator has a value)\n", score.score_id().c_str(),
                  score.version());
    }
    std::vector<std::string> names;
    std::vector<std::string> values;
    for (const v1::IndicatorResult& indicator : score.indicators()) {
      names.push_back(indicator.name());
      values.push_back(indicator.value());
    }
    size_t name_width = WidthOf(names, "");
    size_t value_width = WidthOf(values, "");
    for (int i = 0; i < score.indicators_size(); ++i) {
      const v1::IndicatorResult& indicator = score.indicators(i);
      std::string points = indicator.weight() == 0 ? "left out of the score"
                                                   : absl::StrFormat("%5.1f points x weight %g",
                                                                     indicator.points(), indicator.weight());
      std::printf("    %s  %s  %s\n", Column(names[i], name_width).c_str(),
                  Column(values[i], value_width).c_str(), points.c_str());
    }
  }
}

// "applied" sets the tag; "matched" holds, but an earlier rule already set a tag of the
// same key; "no" does not hold.
const char* RuleOutcome(const v1::RuleResult& rule) {
  if (rule.applied()) return "applied";
  return rule.matched() ? "matched" : "no";
}

void PrintRuleResults(const v1::ExplainResponse& response, bool matched_only) {
  std::printf(
      "\nrules (applied: sets the tag; matched: holds, but an earlier rule set this key; no: "
      "does not hold):\n");
  std::vector<std::string> tags;
  std::vector<std::string> ids;
  for (const v1::RuleResult& rule : response.rules()) {
    tags.push_back(rule.tag());
    ids.push_back(rule.rule_id() + "@" + std::to_string(rule.version()));
  }
  size_t tag_width = WidthOf(tags, "");
  size_t id_width = WidthOf(ids, "");
  for (int i = 0; i < response.rules_size(); ++i) {
    const v1::RuleResult& rule = response.rules(i);
    if (matched_only && !rule.matched()) continue;
    std::printf("  %-7s  %s %s  %s  [%s]\n", RuleOutcome(rule), Column(tags[i], tag_width).c_str(),
                Column(ids[i], id_width).c_str(), OneLine(rule.condition()).c_str(),
                InputsText(rule).c_str());
  }
}

// The tags the rules give against those the profile has: "+tag" to be added, "-tag" removed.
std::string TagDifference(const v1::ExplainResponse& response) {
  std::set<std::string> given(response.tags().begin(), response.tags().end());
  std::set<std::string> current(response.current_tags().begin(), response.current_tags().end());
  std::vector<std::string> changes;
  for (const std::string& tag : given) {
    if (!current.contains(tag)) changes.push_back("+" + tag);
  }
  for (const std::string& tag : current) {
    if (!given.contains(tag)) changes.push_back("-" + tag);
  }
  return absl::StrJoin(changes, " ");
}

int Explain(Stub& tagging, const TagsArguments& arguments) {
  grpc::ClientContext context;
  PrepareCall(context, 10);
  v1::ExplainRequest request;
  request.set_customer_id(arguments.positional[0]);
  v1::ExplainResponse response;
  if (grpc::Status status = tagging.Explain(&context, request, &response); !status.ok()) {
    return Fail("tags explain " + request.customer_id(), status);
  }
  std::printf("customer %s: rule set %s, evaluated at %s\n", response.customer_id().c_str(),
              response.rules_version().c_str(), TimeText(response.evaluated_at()).c_str());
  PrintScoreResults(response);
  PrintRuleResults(response, arguments.switches.contains("--matched"));
  std::string difference = TagDifference(response);
  std::printf("\ntags by the rules: %s\n", absl::StrJoin(response.tags(), " ").c_str());
  std::printf("tags now:          %s\n", absl::StrJoin(response.current_tags(), " ").c_str());
  std::printf("%s\n",
              difference.empty() ? "(the same)" : ("(differs from the profile: " + difference + ")").c_str());
  std::printf("grade by the rules: %s; grade now: %s\n",
              response.grade().empty() ? "-" : response.grade().c_str(),
              response.current_grade().empty() ? "-" : response.current_grade().c_str());
  return 0;
}

int Segment(Stub& tagging, const TagsArguments& arguments) {
  v1::SegmentMembersRequest request;
  request.set_expression(arguments.positional[0]);
  if (auto size = arguments.values.find("--page-size"); size != arguments.values.end()) {
    uint32_t page_size = 0;
    if (!absl::SimpleAtoi(size->second, &page_size) || page_size == 0) {
      std::fprintf(stderr, "custflow tags segment: --page-size is a positive number, not '%s'\n",
                   size->second.c_str());
      return 2;
    }
    request.set_page_size(page_size);
  }
  bool every_page = arguments.switches.contains("--all");
  uint64_t shown = 0;
  do {
    grpc::ClientContext context;
    PrepareCall(context, 30);
    v1::SegmentMembersResponse page;
    if (grpc::Status status = tagging.SegmentMembers(&context, request, &page); !status.ok()) {
      return Fail("tags segment", status);
    }
    for (const std::string& id : page.customer_ids()) std::printf("%s\n", id.c_str());
    shown += page.customer_ids_size();
    request.set_page_token(page.next_page_token());
  } while (every_page && !request.page_token().empty());
  // The count goes to stderr so that stdout is a plain id list for pipes.
  std::fflush(stdout);
  std::fprintf(stderr, "(%llu customers%s)\n", Count(shown),
               request.page_token().empty() ? "" : "; more match: --all lists every page");
  return 0;
}

int History(Stub& tagging, const TagsArguments& arguments) {
  v1::TagHistoryRequest request;
  request.set_customer_id(arguments.positional[0]);
  if (auto tag = arguments.values.find("--tag"); tag != arguments.values.end()) request.set_tag(tag->second);
  if (auto limit = arguments.values.find("--limit"); limit != arguments.values.end()) {
    uint32_t value = 0;
    if (!absl::SimpleAtoi(limit->second, &value) || value == 0) {
      std::fprintf(stderr, "custflow tags history: --limit is a positive number, not '%s'\n",
                   limit->second.c_str());
      return 2;
    }
    request.set_limit(value);
  }
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::TagHistoryResponse response;
  if (grpc::Status status = tagging.TagHistory(&context, request, &response); !status.ok()) {
    return Fail("tags history " + request.customer_id(), status);
  }
  if (response.entries().empty()) {
    std::printf("no tag changes recorded for %s\n", request.customer_id().c_str());
    return 0;
  }
  std::vector<std::string> tags;
  std::vector<std::string> rules;
  for (const v1::TagHistoryEntry& entry : response.entries()) {
    tags.push_back(entry.tag());
    rules.push_back(entry.rule());
  }
  size_t tag_width = WidthOf(tags, "tag");
  size_t rule_width = WidthOf(rules, "rule");
  std::printf("%-30s %-7s %s %s %-12s %s\n", "changed at", "action", Column("tag", tag_width).c_str(),
              Column("rule", rule_width).c_str(), "rule set", "profile version");
  for (int i = 0; i < response.entries_size(); ++i) {
    const v1::TagHistoryEntry& entry = response.entries(i);
    std::printf("%-30s %-7s %s %s %-12s %llu\n", TimeText(entry.changed_at()).c_str(), entry.action().c_str(),
                Column(tags[i], tag_width).c_str(), Column(rules[i], rule_width).c_str(),
                entry.rules_version().c_str(), Count(entry.profile_version()));
  }
  return 0;
}

void PrintImpacts(const v1::ValidateRulesResponse& response) {
  std::printf("dry run over %llu customers: %llu would change\n", Count(response.profiles_evaluated()),
              Count(response.customers_changed()));
  if (response.impacts().empty()) return;
  std::vector<std::string> tags;
  for (const v1::TagImpact& impact : response.impacts()) tags.push_back(impact.tag());
  size_t tag_width = WidthOf(tags, "tag");
  std::printf("%s %10s %10s %10s %10s\n", Column("tag", tag_width).c_str(), "now", "after", "gained", "lost");
  for (const v1::TagImpact& impact : response.impacts()) {
    std::printf("%s %10llu %10llu %10llu %10llu\n", Column(impact.tag(), tag_width).c_str(),
                Count(impact.customers_now()), Count(impact.customers_after()), Count(impact.gained()),
                Count(impact.lost()));
  }
}

// "file:line:column: reason", leaving out what is unknown (0).
std::string ErrorText(const v1::RuleFileError& error) {
  std::string where = error.file();
  if (error.line() > 0) where += ":" + std::to_string(error.line());
  if (error.line() > 0 && error.column() > 0) where += ":" + std::to_string(error.column());
  return where + ": " + error.reason();
}

int Validate(Stub& tagging, const TagsArguments& arguments) {
  const std::string& file = arguments.positional[0];
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "custflow: tags validate: cannot open %s\n", file.c_str());
    return 1;
  }
  std::ostringstream content;
  content << in.rdbuf();
  v1::ValidateRulesRequest request;
  request.set_content(content.str());
  request.set_file_name(file);
  request.set_dry_run(arguments.switches.contains("--dry-run"));
  grpc::ClientContext context;
  // A dry run evaluates every profile.
  PrepareCall(context, request.dry_run() ? 600 : 30);
  v1::ValidateRulesResponse response;
  if (grpc::Status status = tagging.ValidateRules(&context, request, &response); !status.ok()) {
    return Fail("tags validate " + file, status);
  }
  for (const v1::RuleFileError& error : response.errors())
    std::fprintf(stderr, "%s\n", ErrorText(error).c_str());
  if (!response.errors().empty()) {
    std::fprintf(stderr, "%s: %d error%s\n", file.c_str(), response.errors_size(),
                 response.errors_size() == 1 ? "" : "s");
    return 1;
  }
  std::printf("%s: valid: rule set %s, %u rules, %u scores\n", file.c_str(), response.version().c_str(),
              response.rules(), response.scores());
  if (request.dry_run()) PrintImpacts(response);
  return 0;
}

int Reload(Stub& tagging, const TagsArguments&) {
  grpc::ClientContext context;
  PrepareCall(context, 30);
  v1::ReloadRulesResponse response;
  if (grpc::Status status = tagging.ReloadRules(&context, {}, &response); !status.ok()) {
    return Fail("tags reload", status);
  }
  std::printf("rule set %s in force: %u rules, %u scores; %s\n", response.version().c_str(), response.rules(),
              response.scores(), response.changed() ? "changed, a sweep has started" : "unchanged");
  return 0;
}

int Sweep(Stub& tagging, const TagsArguments&) {
  // No deadline: a sweep over many profiles takes as long as it takes, and the progress
  // lines show it is alive.
  grpc::ClientContext context;
  AddCredentials(context);
  std::unique_ptr<grpc::ClientReader<v1::SweepProgress>> reader = tagging.Sweep(&context, {});
  v1::SweepProgress progress;
  std::optional<v1::SweepProgress> last;
  while (reader->Read(&progress)) {
    if (progress.done()) {
      last = progress;
      continue;
    }
    std::printf("%6.1f s: %llu evaluated, %llu changed\n", progress.seconds(), Count(progress.evaluated()),
                Count(progress.changed()));
    std::fflush(stdout);
  }
  if (grpc::Status status = reader->Finish(); !status.ok()) return Fail("tags sweep", status);
  if (!last) {
    std::fprintf(stderr, "custflow: tags sweep: the stream ended before the sweep was done\n");
    return 1;
  }
  std::printf("sweep done with rule set %s: %llu customers evaluated, %llu changed, in %.1f s\n",
              last->rules_version().c_str(), Count(last->evaluated()), Count(last->changed()),
              last->seconds());
  return 0;
}

const std::vector<TagsCommand>& Commands() {
  static const std::vector<TagsCommand> commands = {
      {.name = "rules", .usage = "rules", .positional = 0, .valued = {}, .switches = {}, .run = Rules},
      {.name = "explain",
       .usage = "explain CUSTOMER_ID [--matched]",
       .positional = 1,
       .valued = {},
       .switches = {"--matched"},
       .run = Explain},
      {.name = "segment",
       .usage = "segment EXPRESSION [--page-size N] [--all]",
       .positional = 1,
       .valued = {"--page-size"},
       .switches = {"--all"},
       .run = Segment},
      {.name = "history",
       .usage = "history CUSTOMER_ID [--tag T] [--limit N]",
       .positional = 1,
       .valued = {"--tag", "--limit"},
       .switches = {},
       .run = History},
      {.name = "validate",
       .usage = "validate FILE [--dry-run]",
       .positional = 1,
       .valued = {},
       .switches = {"--dry-run"},
       .run = Validate},
      {.name = "reload", .usage = "reload", .positional = 0, .valued = {}, .switches = {}, .run = Reload},
      {.name = "sweep", .usage = "sweep", .positional = 0, .valued = {}, .switches = {}, .run = Sweep},
  };
  return commands;
}

constexpr const char* kHelp =
    "\n"
    "  rules     the rules in force: tag rules (id, tag, condition), scores (indicators, weights,\n"
    "            grades), the rule set version and where it came from\n"
    "  explain   every score and rule evaluated for one customer, with inputs; the tags and grade\n"
    "            the rules give against those the profile has (--matched: only rules that hold)\n"
    "  segment   ids of the customers matching a tag expression, e.g.\n"
    "            'value:high and not follow-up:high', '(region:east or region:south) and grade:A';\n"
    "            the first page, or every page with --all (the count goes to stderr)\n"
    "  history   tags gained and lost by one customer, most recent first\n"
    "  validate  checks a rule file: errors as FILE:LINE:COLUMN: reason (exit 1); --dry-run also\n"
    "            shows how many customers each tag would gain or lose\n"
    "  reload    makes the service read its rule file again (a changed rule set is swept)\n"
    "  sweep     evaluates every customer now, with progress\n"
    "The service's address comes from CUSTFLOW_TAGGING_ADDRESS; CUSTFLOW_TOKEN, when set, is sent as\n"
    "the bearer token.\n";

void PrintUsage(FILE* out) {
  const char* prefix = "usage: ";
  for (const TagsCommand& command : Commands()) {
    std::fprintf(out, "%scustflow tags %s\n", prefix, command.usage);
    prefix = "       ";
  }
  std::fprintf(out, "%s", kHelp);
}

// Splits argv[3...] into positional arguments, "--name value" options and switches;
// nullopt (after saying why) when something does not fit `command`.
std::optional<TagsArguments> ParseArguments(const TagsCommand& command, int argc, char** argv) {
  TagsArguments arguments;
  for (int i = 3; i < argc; ++i) {
    std::string argument = argv[i];
    if (command.switches.contains(argument)) {
      arguments.switches.insert(argument);
    } else if (command.valued.contains(argument) && i + 1 < argc) {
      arguments.values[argument] = argv[++i];
    } else if (argument.starts_with("--") || arguments.positional.size() == command.positional) {
      std::fprintf(stderr, "custflow tags %s: unexpected argument '%s'\n", command.name, argument.c_str());
      return std::nullopt;
    } else {
      arguments.positional.push_back(argument);
    }
  }
  if (arguments.positional.size() != command.positional) {
    std::fprintf(stderr, "usage: custflow tags %s\n", command.usage);
    return std::nullopt;
  }
  return arguments;
}

bool AsksForHelp(int argc, char** argv) {
  if (argc > 2 && std::string(argv[2]) == "help") return true;
  for (int i = 2; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "--help" || argument == "-h") return true;
  }
  return false;
}

}  // namespace

int Tags(int argc, char** argv) {
  if (AsksForHelp(argc, argv)) {
    PrintUsage(stdout);
    return 0;
  }
  std::string name = argc > 2 ? argv[2] : "";
  const std::vector<TagsCommand>& commands = Commands();
  auto command = std::find_if(commands.begin(), commands.end(),
                              [&](const TagsCommand& candidate) { return name == candidate.name; });
  if (command == commands.end()) {
    if (!name.empty()) std::fprintf(stderr, "custflow tags: unknown subcommand '%s'\n", name.c_str());
    PrintUsage(stderr);
    return 2;
  }
  std::optional<TagsArguments> arguments = ParseArguments(*command, argc, argv);
  if (!arguments) return 2;
  auto tagging = v1::TaggingService::NewStub(Connect("CUSTFLOW_TAGGING_ADDRESS", "127.0.0.1:17053"));
  return command->run(*tagging, *arguments);
}

}  // namespace custflow::tools
