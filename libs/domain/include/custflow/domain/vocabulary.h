// The standard vocabulary of industries, enterprise types and sizes and regions (provinces,
// cities, districts), read from data/vocabulary/*.tsv as embedded at build time. Lookups
// take a standard name or any synonym and ignore case, surrounding spaces and full-width
// forms. Pure and thread-safe; the files are parsed on first use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "custflow/v1/common.pb.h"

namespace custflow::domain {

// "制造", "Manufacturing" -> "制造业"; nullopt for a word the vocabulary does not know.
std::optional<std::string> StandardIndustry(std::string_view word);
// "民营", "私营" -> "private"; "国企" -> "state-owned".
std::optional<std::string> StandardEnterpriseType(std::string_view word);
// "大型" -> "large"; "中小企业" -> "SME".
std::optional<std::string> StandardEnterpriseSize(std::string_view word);
// "广东", "粤", "Guangdong" -> "广东省".
std::optional<std::string> StandardProvince(std::string_view word);

// A city of the vocabulary with the provincial division it belongs to.
struct KnownCity {
  std::string name;      // "深圳市"
  std::string province;  // "广东省"
};
// "深圳", "Shenzhen" -> {"深圳市", "广东省"}.
std::optional<KnownCity> LookupCity(std::string_view word);

// The standard names, in the files' order (for pickers, generators and reports).
std::vector<std::string> StandardIndustries();
std::vector<std::string> StandardEnterpriseTypes();
std::vector<std::string> StandardEnterpriseSizes();
std::vector<std::string> StandardProvinces();
std::vector<KnownCity> KnownCities();

// `region` with every part the vocabulary knows in its standard form: the province from
// its short form, the city from its short form when it lies in that province (or the
// province is empty, which is then filled from the city), the city of a municipality
// filled from the province, and the district from its short form within a known city.
// Parts the vocabulary does not know, or that contradict each other, stay as they are.
v1::Region NormalizeRegion(const v1::Region& region);

}  // namespace custflow::domain
