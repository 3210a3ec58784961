// Parses the embedded vocabulary files into lookup tables, once. A malformed file is a
// build defect, not bad input: it throws at first use, and the unit tests load every file.
#include "custflow/domain/vocabulary.h"

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "custflow/domain/text.h"
#include "vocabulary_files.h"

namespace custflow::domain {
namespace {

// The form words are compared in: half-width, trimmed, ASCII lower case.
std::string LookupKey(std::string_view word) {
  std::string key = TrimSpace(ToHalfWidth(word));
  absl::AsciiStrToLower(&key);
  return key;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t at; (at = text.find(separator)) != std::string_view::npos; text.remove_prefix(at + 1)) {
    parts.push_back(text.substr(0, at));
  }
  parts.push_back(text);
  return parts;
}

struct Entry {
  std::string standard;
  // The province of a city, the city of a district; empty in the other tables.
  std::string parent;
};

// How a file's lines are laid out: standard name, [parent,] "|"-separated synonyms.
enum class Layout {
  kWords,
  // A city's province: for information, names are unique across provinces.
  kWordsWithParent,
  // A district's city: names are only unique within it (鼓楼区 recurs in many cities).
  kWordsWithinParent,
};

// One vocabulary file: its entries by every name they go by.
class WordTable {
 public:
  WordTable(std::string_view file_name, Layout layout) : layout_(layout) {
    std::optional<std::string_view> text = EmbeddedVocabularyFile(file_name);
    if (!text)
      throw std::logic_error(absl::StrCat("vocabulary file ", std::string(file_name), " is not embedded"));
    std::vector<std::string_view> lines = Split(*text, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
      std::string_view line = lines[i];
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line.empty() || line.starts_with('#')) continue;
      AddLine(line, absl::StrCat(std::string(file_name), " line ", i + 1));
    }
  }

  // The entry named `word`; for kWordsWithinParent, within parent `scope`.
  const Entry* Find(std::string_view word, std::string_view scope = {}) const {
    auto it = index_.find(ScopedKey(scope, LookupKey(word)));
    return it == index_.end() ? nullptr : &entries_[it->second];
  }

  const std::vector<Entry>& entries() const { return entries_; }

 private:
  static std::string ScopedKey(std::string_view scope, std::string_view key) {
    return absl::StrCat(std::string(scope), "\t", std::string(key));
  }

  void AddLine(std::string_view line, const std::string& where) {
    std::vector<std::string_view> columns = Split(line, '\t');
    size_t expected = layout_ == Layout::kWords ? 2 : 3;
    if (columns.size() != expected || columns[0].empty()) {
      throw std::logic_error(absl::StrCat(where, ": expected ", expected, " tab-separated columns"));
    }
    size_t index = entries_.size();
    Entry& entry = entries_.emplace_back();
    entry.standard = std::string(columns[0]);
    if (layout_ != Layout::kWords) entry.parent = std::string(columns[1]);
    std::string scope = layout_ == Layout::kWordsWithinParent ? entry.parent : std::string();
    AddName(entry.standard, scope, index, where);
    for (std::string_view synonym : Split(columns.back(), '|')) {
      if (!synonym.empty()) AddName(synonym, scope, index, where);
    }
  }

  void AddName(std::string_view name, const std::string& scope, size_t index, const std::string& where) {
    auto [it, inserted] = index_.emplace(ScopedKey(scope, LookupKey(name)), index);
    if (!inserted && it->second != index) {
      throw std::logic_error(
          absl::StrCat(where, ": \"", std::string(name), "\" already names ", entries_[it->second].standard));
    }
  }

  Layout layout_;
  std::vector<Entry> entries_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// Every parent must be a standard name of the parent table, or lookups would hand out
// provinces and cities the vocabulary does not know.
void CheckParents(const WordTable& children, const WordTable& parents, std::string_view what) {
  for (const Entry& child : children.entries()) {
    const Entry* parent = parents.Find(child.parent);
    if (parent == nullptr || parent->standard != child.parent) {
      throw std::logic_error(absl::StrCat(child.standard, ": ", std::string(what), " \"", child.parent,
                                          "\" is not a standard name"));
    }
  }
}

struct Vocabularies {
  Vocabularies() {
    CheckParents(city, province, "province");
    CheckParents(district, city, "city");
  }

  WordTable industry{"industry.tsv", Layout::kWords};
  WordTable enterprise_type{"enterprise_type.tsv", Layout::kWords};
  WordTable enterprise_size{"enterprise_size.tsv", Layout::kWords};
  WordTable province{"province.tsv", Layout::kWords};
  WordTable city{"city.tsv", Layout::kWordsWithParent};
  WordTable district{"district.tsv", Layout::kWordsWithinParent};
};

const Vocabularies& Get() {
  static const Vocabularies* const vocabularies = new Vocabularies;  // never destroyed: used until exit
  return *vocabularies;
}

std::optional<std::string> Standard(const WordTable& table, std::string_view word) {
  const Entry* entry = table.Find(word);
  if (entry == nullptr) return std::nullopt;
  return entry->standard;
}

}  // namespace

std::optional<std::string> StandardIndustry(std::string_view word) { return Standard(Get().industry, word); }

namespace {

std::vector<std::string> Names(const WordTable& table) {
  std::vector<std::string> names;
  for (const Entry& entry : table.entries()) names.push_back(entry.standard);
  return names;
}

}  // namespace

std::vector<std::string> StandardIndustries() { return Names(Get().industry); }
std::vector<std::string> StandardEnterpriseTypes() { return Names(Get().enterprise_type); }
std::vector<std::string> StandardEnterpriseSizes() { return Names(Get().enterprise_size); }
std::vector<std::string> StandardProvinces() { return Names(Get().province); }

std::vector<KnownCity> KnownCities() {
  std::vector<KnownCity> cities;
  for (const Entry& entry : Get().city.entries())
    cities.push_back({.name = entry.standard, .province = entry.parent});
  return cities;
}

std::optional<std::string> StandardEnterpriseType(std::string_view word) {
  return Standard(Get().enterprise_type, word);
}

std::optional<std::string> StandardEnterpriseSize(std::string_view word) {
  return Standard(Get().enterprise_size, word);
}

std::optional<std::string> StandardProvince(std::string_view word) { return Standard(Get().province, word); }

std::optional<KnownCity> LookupCity(std::string_view word) {
  const Entry* entry = Get().city.Find(word);
  if (entry == nullptr) return std::nullopt;
  return KnownCity{.name = entry->standard, .province = entry->parent};
}

v1::Region NormalizeRegion(const v1::Region& region) {
  v1::Region out = region;
  if (auto province = StandardProvince(out.province())) out.set_province(*province);
  if (auto city = LookupCity(out.city())) {
    if (out.province().empty()) out.set_province(city->province);
    if (out.province() == city->province) out.set_city(city->name);
  } else if (out.city().empty()) {
    // A municipality (北京市) is a city of its own name.
    auto municipality = LookupCity(out.province());
    if (municipality && municipality->name == out.province() && municipality->province == out.province()) {
      out.set_city(municipality->name);
    }
  }
  if (out.city().empty()) return out;
  if (const Entry* district = Get().district.Find(out.district(), out.city())) {
    out.set_district(district->standard);
  }
  return out;
}

}  // namespace custflow::domain
