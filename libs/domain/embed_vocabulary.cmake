# Writes OUTPUT, a C++ source holding every *.tsv file of INPUT_DIR as a string, so that
# the binaries carry the vocabularies and need no data path. Run by the build
# (cmake -DINPUT_DIR=... -DOUTPUT=... -P embed_vocabulary.cmake) whenever a file changes.
file(GLOB names RELATIVE "${INPUT_DIR}" "${INPUT_DIR}/*.tsv")
list(SORT names)
set(entries "")
foreach(name IN LISTS names)
  file(READ "${INPUT_DIR}/${name}" text)
  string(APPEND entries "    {\"${name}\", R\"custflow_tsv(${text})custflow_tsv\"},\n")
endforeach()
file(WRITE "${OUTPUT}" "// Generated from data/vocabulary by libs/domain/embed_vocabulary.cmake; do not edit.
#include \"vocabulary_files.h\"

#include <algorithm>
#include <iterator>

namespace custflow::domain {
namespace {

struct EmbeddedFile {
  std::string_view name;
  std::string_view text;
};

constexpr EmbeddedFile kFiles[] = {
${entries}};

}  // namespace

std::optional<std::string_view> EmbeddedVocabularyFile(std::string_view name) {
  auto file = std::find_if(std::begin(kFiles), std::end(kFiles), [name](const EmbeddedFile& f) { return f.name == name; });
  if (file == std::end(kFiles)) return std::nullopt;
  return file->text;
}

}  // namespace custflow::domain
")
