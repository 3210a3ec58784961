# Writes OUTPUT, a C++ source holding INPUT (the default rule file) as a string, so that
# the binaries carry the default rules and need no data path. Run by the build
# (cmake -DINPUT=... -DOUTPUT=... -P embed_rules.cmake) whenever the file changes.
file(READ "${INPUT}" text)
file(WRITE "${OUTPUT}" "// Generated from data/rules/default.yaml by libs/tagging/embed_rules.cmake; do not edit.
#include \"custflow/tagging/rule_file.h\"

namespace custflow::tagging {

std::string_view DefaultRuleFileText() {
  return R\"custflow_yaml(${text})custflow_yaml\";
}

}  // namespace custflow::tagging
")
