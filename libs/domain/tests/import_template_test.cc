// The customer import template: header check, every column, dates, customer types, VINs,
// the error texts and the ids derived for rows without one.
#include "custflow/domain/import_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "custflow/domain/csv_reader.h"
#include "custflow/domain/identity.h"

namespace custflow::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The template's header row, in template order.
std::vector<std::string> TemplateHeaders() {
  std::vector<std::string> headers;
  for (const ImportColumnSpec& spec : ImportColumns()) headers.emplace_back(spec.header);
  return headers;
}

ImportLayout Layout(const std::vector<std::string>& headers) {
  absl::StatusOr<ImportLayout> layout = ParseImportHeader(headers);
  EXPECT_TRUE(layout.ok()) << layout.status();
  return layout.ok() ? *layout : ImportLayout{};
}

std::string HeaderError(const std::vector<std::string>& headers) {
  absl::StatusOr<ImportLayout> layout = ParseImportHeader(headers);
  EXPECT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(layout.status().message());
}

const std::vector<std::string> kRequired = {"客户名称", "联系人", "联系电话", "行业", "客户类型"};

// A good row for the required columns, with one column's cell replaced.
ImportRowResult RequiredRow(const std::vector<std::string>& extra_headers = {},
                            const std::vector<std::string>& extra_cells = {}) {
  std::vector<std::string> headers = kRequired;
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  std::vector<std::string> cells = {"深圳华为技术有限公司", "张三", "13800138000", "制造业", "潜在客户"};
  cells.insert(cells.end(), extra_cells.begin(), extra_cells.end());
  return ValidateImportRow(Layout(headers), cells, ImportOptions{});
}

std::vector<std::string> ErrorTexts(const ImportRowResult& result) {
  std::vector<std::string> out;
  for (const ImportFieldError& error : result.errors) out.push_back(error.column + ": " + error.reason);
  return out;
}

TEST(ImportHeaderTest, AcceptsTheTemplateHeader) {
  ImportLayout layout = Layout(TemplateHeaders());
  ASSERT_EQ(layout.columns.size(), ImportColumns().size());
  for (size_t i = 0; i < layout.columns.size(); ++i) {
    EXPECT_EQ(layout.columns[i].spec, &ImportColumns()[i]);
    EXPECT_EQ(layout.columns[i].header, ImportColumns()[i].header);
  }
}

TEST(ImportHeaderTest, AcceptsEnglishNamesInAnyCaseAndOrder) {
  std::vector<std::string> headers;
  for (const ImportColumnSpec& spec : ImportColumns()) headers.emplace_back(spec.aliases.front());
  std::reverse(headers.begin(), headers.end());
  headers.front() = "Purchased_At";
  ImportLayout layout = Layout(headers);
  ASSERT_EQ(layout.columns.size(), ImportColumns().size());
  EXPECT_EQ(layout.columns.front().spec->column, ImportColumn::kPurchasedAt);
  EXPECT_EQ(layout.columns.front().header, "Purchased_At");
  EXPECT_EQ(layout.columns.back().spec->column, ImportColumn::kCustomerId);
}

TEST(ImportHeaderTest, TrimsHeadersAndAcceptsVinVariants) {
  for (std::string vin : {"车架号", "车架号（VIN）", "VIN", " vin "}) {
    std::vector<std::string> headers = kRequired;
    headers.push_back(vin);
    ImportLayout layout = Layout(headers);
    ASSERT_EQ(layout.columns.size(), 6u) << vin;
    EXPECT_EQ(layout.columns.back().spec->column, ImportColumn::kVin) << vin;
  }
}

TEST(ImportHeaderTest, ReadsCustomFieldColumns) {
  std::vector<std::string> headers = kRequired;
  headers.insert(headers.end(), {"自定义:渠道经理", "自定义：等级", "custom:wechat", "Custom: level 2"});
  ImportLayout layout = Layout(headers);
  ASSERT_EQ(layout.columns.size(), 9u);
  std::vector<std::string> names;
  for (size_t i = 5; i < 9; ++i) {
    EXPECT_EQ(layout.columns[i].spec, nullptr);
    names.push_back(layout.columns[i].custom_name);
  }
  EXPECT_THAT(names, ElementsAre("渠道经理", "等级", "wechat", "level 2"));
}

TEST(ImportHeaderTest, RefusesAnUnknownColumn) {
  std::vector<std::string> headers = kRequired;
  headers.push_back("传真");
  EXPECT_EQ(HeaderError(headers), "bad header: unknown column '传真'");
}

TEST(ImportHeaderTest, RefusesAColumnWithoutHeader) {
  std::vector<std::string> headers = kRequired;
  headers.push_back(" ");
  EXPECT_EQ(HeaderError(headers), "bad header: column 6 has no header");
}

TEST(ImportHeaderTest, RefusesACustomColumnWithoutName) {
  std::vector<std::string> headers = kRequired;
  headers.push_back("自定义:");
  EXPECT_EQ(HeaderError(headers), "bad header: column 6 '自定义:' names no custom field");
}

TEST(ImportHeaderTest, RefusesAColumnTwiceEvenUnderItsEnglishName) {
  std::vector<std::string> headers = kRequired;
  headers.push_back("contact_phone");
  EXPECT_EQ(HeaderError(headers), "bad header: column 'contact_phone' appears twice (columns 3 and 6)");
  headers = kRequired;
  headers.insert(headers.end(), {"custom:a", "custom:a"});
  EXPECT_EQ(HeaderError(headers), "bad header: column 'custom:a' appears twice (columns 6 and 7)");
}

TEST(ImportHeaderTest, ListsEveryMissingRequiredColumnAndEveryOtherProblem) {
  EXPECT_EQ(HeaderError({"客户编号", "客户名称", "传真"}),
            "bad header: unknown column '传真'; missing required column 联系人 (contact_person); "
            "missing required column 联系电话 (contact_phone); missing required column 行业 (industry); "
            "missing required column 客户类型 (type)");
}

TEST(ImportRowTest, FillsEveryColumn) {
  std::vector<std::string> headers = TemplateHeaders();
  headers.push_back("自定义:渠道经理");
  std::vector<std::string> cells = {"c-001",
                                    "深圳华为技术有限公司",
                                    "张三",
                                    "13800138000",
                                    "制造业",
                                    "成交客户",
                                    "2026-03-05 14:30",
                                    "展会",
                                    "大型",
                                    "民营企业",
                                    "需要CRM系统",
                                    " 老客户 ",
                                    "王芳",
                                    "华南销售部",
                                    "一组",
                                    "商务谈判",
                                    "广东省",
                                    "深圳市",
                                    "南山区",
                                    "zhang@example.com",
                                    "Model Y",
                                    "lrwyggee1pc000001",
                                    "粤B12345",
                                    "2024/2/29",
                                    "李四"};
  ImportRowResult result = ValidateImportRow(Layout(headers), cells, ImportOptions{});
  ASSERT_THAT(ErrorTexts(result), IsEmpty());
  const v1::Customer& customer = result.customer;
  EXPECT_EQ(customer.customer_id(), "c-001");
  EXPECT_EQ(customer.name(), "深圳华为技术有限公司");
  EXPECT_EQ(customer.contact_person(), "张三");
  EXPECT_EQ(customer.contact_phone(), "+8613800138000");
  EXPECT_FALSE(customer.industry().empty());
  EXPECT_EQ(customer.type(), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(customer.first_contact_at().seconds(), 1772692200);
  EXPECT_FALSE(customer.source().empty());
  EXPECT_FALSE(customer.enterprise_size().empty());
  EXPECT_FALSE(customer.enterprise_type().empty());
  EXPECT_EQ(customer.needs(), "需要CRM系统");
  EXPECT_EQ(customer.notes(), "老客户");
  EXPECT_EQ(customer.owner(), "王芳");
  EXPECT_EQ(customer.department(), "华南销售部");
  EXPECT_EQ(customer.team(), "一组");
  EXPECT_EQ(customer.follow_up_stage(), "商务谈判");
  EXPECT_FALSE(customer.region().province().empty());
  EXPECT_FALSE(customer.region().city().empty());
  EXPECT_FALSE(customer.region().district().empty());
  EXPECT_EQ(customer.email(), "zhang@example.com");
  ASSERT_EQ(customer.vehicles_size(), 1);
  EXPECT_EQ(customer.vehicles(0).car_model(), "Model Y");
  EXPECT_EQ(customer.vehicles(0).vin(), "LRWYGGEE1PC000001");
  EXPECT_EQ(customer.vehicles(0).plate(), "粤B12345");
  EXPECT_EQ(customer.vehicles(0).purchased_at().seconds(), 1709136000);
  EXPECT_EQ(customer.custom_fields().at("渠道经理"), "李四");
}

TEST(ImportRowTest, LeavesEmptyOptionalCellsUnsetAndAcceptsShortRows) {
  std::vector<std::string> headers = TemplateHeaders();
  std::vector<std::string> cells = {"c-002", "华为", "张三", "13800138000", "制造业", "潜在客户"};
  ImportRowResult result = ValidateImportRow(Layout(headers), cells, ImportOptions{});
  ASSERT_THAT(ErrorTexts(result), IsEmpty());
  EXPECT_FALSE(result.customer.has_first_contact_at());
  EXPECT_FALSE(result.customer.has_region());
  EXPECT_EQ(result.customer.vehicles_size(), 0);
  EXPECT_TRUE(result.customer.custom_fields().empty());
}

struct DateCase {
  std::string name;
  std::string cell;
  int64_t seconds;
};

class ImportDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(ImportDateTest, ReadsTheDateAsChinaStandardTime) {
  ImportRowResult result = RequiredRow({"首次接触时间"}, {GetParam().cell});
  ASSERT_THAT(ErrorTexts(result), IsEmpty());
  EXPECT_EQ(result.customer.first_contact_at().seconds(), GetParam().seconds);
}

INSTANTIATE_TEST_SUITE_P(
    Forms, ImportDateTest,
    ::testing::Values(DateCase{"Iso", "2026-03-05", 1772640000}, DateCase{"Slashes", "2026/3/5", 1772640000},
                      DateCase{"SlashesPadded", "2026/03/05", 1772640000},
                      DateCase{"Dots", "2026.3.5", 1772640000},
                      DateCase{"IsoWithMinutes", "2026-03-05 14:30", 1772692200},
                      DateCase{"IsoWithSeconds", "2026-03-05 14:30:15", 1772692215},
                      DateCase{"IsoWithT", "2026-03-05T14:30", 1772692200},
                      DateCase{"SlashesWithMinutes", "2026/3/5 14:30", 1772692200},
                      DateCase{"Chinese", "2026年3月5日", 1772640000},
                      DateCase{"ChineseWithHao", "2026年3月5号", 1772640000},
                      DateCase{"ChineseWithTime", "2026年3月5日 14:30", 1772692200},
                      DateCase{"LeapDay", "2024-02-29", 1709136000},
                      DateCase{"FullWidth", "２０２６－０３－０５　１４：３０", 1772692200},
                      DateCase{"IdeographicSpaces", "\u3000 2026-03-05\u3000", 1772640000}),
    [](const ::testing::TestParamInfo<DateCase>& param) { return param.param.name; });

class ImportBadDateTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ImportBadDateTest, ReportsTheCellAndTheAcceptedForms) {
  ImportRowResult result = RequiredRow({"购车日期"}, {GetParam()});
  EXPECT_THAT(ErrorTexts(result),
              ElementsAre("购车日期: '" + GetParam() +
                          "' is not a date (use 2026-03-05, 2026/3/5, 2026-03-05 14:30 or 2026年3月5日)"));
}

INSTANTIATE_TEST_SUITE_P(Forms, ImportBadDateTest,
                         ::testing::Values("2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10",
                                           "05/03/2026", "2026-03-05 24:00", "2026-03-05 14:60",
                                           "2026-03-05 14", "2026-3", "2026年3月5", "2026-03-05x", "昨天",
                                           "20260305"));

struct TypeCase {
  std::string cell;
  v1::CustomerType type;
};

class ImportTypeTest : public ::testing::TestWithParam<TypeCase> {};

TEST_P(ImportTypeTest, ReadsTheCustomerType) {
  std::vector<std::string> cells = {"华为", "张三", "13800138000", "制造业", GetParam().cell};
  ImportRowResult result = ValidateImportRow(Layout(kRequired), cells, ImportOptions{});
  ASSERT_THAT(ErrorTexts(result), IsEmpty());
  EXPECT_EQ(result.customer.type(), GetParam().type);
}

INSTANTIATE_TEST_SUITE_P(Words, ImportTypeTest,
                         ::testing::Values(TypeCase{"潜在客户", v1::CUSTOMER_TYPE_POTENTIAL},
                                           TypeCase{"潜在", v1::CUSTOMER_TYPE_POTENTIAL},
                                           TypeCase{"potential", v1::CUSTOMER_TYPE_POTENTIAL},
                                           TypeCase{"Potential", v1::CUSTOMER_TYPE_POTENTIAL},
                                           TypeCase{"成交客户", v1::CUSTOMER_TYPE_CLOSED},
                                           TypeCase{"已成交", v1::CUSTOMER_TYPE_CLOSED},
                                           TypeCase{"成交", v1::CUSTOMER_TYPE_CLOSED},
                                           TypeCase{"closed", v1::CUSTOMER_TYPE_CLOSED},
                                           TypeCase{"WON", v1::CUSTOMER_TYPE_CLOSED},
                                           TypeCase{"流失客户", v1::CUSTOMER_TYPE_LOST},
                                           TypeCase{"流失", v1::CUSTOMER_TYPE_LOST},
                                           TypeCase{"lost", v1::CUSTOMER_TYPE_LOST}));

TEST(ImportRowTest, RefusesAnUnknownCustomerTypeOnce) {
  std::vector<std::string> cells = {"华为", "张三", "13800138000", "制造业", "大客户"};
  ImportRowResult result = ValidateImportRow(Layout(kRequired), cells, ImportOptions{});
  EXPECT_THAT(ErrorTexts(result),
              ElementsAre("客户类型: '大客户' is not a customer type (use 潜在客户, 成交客户 or 流失客户)"));
}

TEST(ImportRowTest, RefusesMalformedVins) {
  for (std::string vin : {"LRWYGGEE1PC00000", "LRWYGGEE1PC0000012", "LRWYGGEI1PC000001", "LRWYGGEO1PC000001",
                          "LRWYGGEQ1PC000001", "LRWYGGEE1PC-00001", "LRWYGGEE1PC00000车"}) {
    ImportRowResult result = RequiredRow({"车架号(VIN)"}, {vin});
    EXPECT_THAT(ErrorTexts(result),
                ElementsAre("车架号(VIN): '" + vin + "' is not a VIN (17 letters and digits, no I, O or Q)"));
  }
}

TEST(ImportRowTest, ReportsEachEmptyRequiredCellOnceUnderTheFilesHeader) {
  std::vector<std::string> headers = {"name", "contact_person", "contact_phone", "industry", "type"};
  ImportRowResult result =
      ValidateImportRow(Layout(headers), {"", " ", "13800138000", "", "lost"}, ImportOptions{});
  EXPECT_THAT(ErrorTexts(result),
              ElementsAre("name: is required", "contact_person: is required", "industry: is required"));
}

TEST(ImportRowTest, ReportsABadPhoneUnderThePhoneColumn) {
  std::vector<std::string> cells = {"华为", "张三", "12ab", "制造业", "潜在客户"};
  ImportRowResult result = ValidateImportRow(Layout(kRequired), cells, ImportOptions{});
  ASSERT_EQ(result.errors.size(), 1u) << ::testing::PrintToString(ErrorTexts(result));
  EXPECT_EQ(result.errors[0].column, "联系电话");
  EXPECT_FALSE(result.errors[0].reason.empty());
}

TEST(ImportRowTest, RefusesARowWithMoreCellsThanColumns) {
  std::vector<std::string> cells = {"华为", "张三", "13800138000", "制造业", "潜在客户", "extra"};
  ImportRowResult result = ValidateImportRow(Layout(kRequired), cells, ImportOptions{});
  EXPECT_THAT(ErrorTexts(result), ElementsAre(": the row has 6 cells but the header has 5 columns"));
}

TEST(ImportRowTest, DerivesTheSameIdFromThePhoneHoweverItIsWritten) {
  ImportRowResult plain = RequiredRow();
  ASSERT_THAT(ErrorTexts(plain), IsEmpty());
  EXPECT_EQ(plain.customer.customer_id(),
            DeriveCustomerId({.kind = IdentityKind::kPhone, .value = "+8613800138000"}));

  std::vector<std::string> cells = {"华为", "张三", "+86 138-0013-8000", "制造业", "潜在客户"};
  ImportRowResult spaced = ValidateImportRow(Layout(kRequired), cells, ImportOptions{});
  ASSERT_THAT(ErrorTexts(spaced), IsEmpty());
  EXPECT_EQ(spaced.customer.customer_id(), plain.customer.customer_id());
}

TEST(ImportRowTest, KeepsAGivenCustomerId) {
  ImportRowResult result = RequiredRow({"客户编号"}, {"c-007"});
  ASSERT_THAT(ErrorTexts(result), IsEmpty());
  EXPECT_EQ(result.customer.customer_id(), "c-007");
}

TEST(ImportColumnForFieldTest, NamesTheColumnAsTheFileDoes) {
  std::vector<std::string> headers = {"name", "联系人", "contact_phone", "行业",
                                      "type", "city",   "车架号",        "custom:x"};
  ImportLayout layout = Layout(headers);
  EXPECT_EQ(ColumnForField(layout, "contact_phone"), "contact_phone");
  EXPECT_EQ(ColumnForField(layout, "contact_person"), "联系人");
  EXPECT_EQ(ColumnForField(layout, "region.city"), "city");
  EXPECT_EQ(ColumnForField(layout, "vehicles.vin"), "车架号");
  EXPECT_EQ(ColumnForField(layout, "vehicles[0].vin"), "车架号");
  EXPECT_EQ(ColumnForField(layout, "custom_fields.x"), "custom:x");
  EXPECT_EQ(ColumnForField(layout, "custom_fields[\"x\"]"), "custom:x");
  EXPECT_EQ(ColumnForField(layout, "email"), "email");
}

std::string ReadSourceFile(const std::string& path) {
  std::ifstream in(std::string(CUSTFLOW_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

TEST(ImportTemplateFileTest, IsUtf8WithBomAndItsExampleRowsImport) {
  std::string bytes = ReadSourceFile("deploy/templates/customer_import_template.csv");
  ASSERT_TRUE(bytes.starts_with("\xEF\xBB\xBF")) << "Excel needs the BOM to open the file as UTF-8";
  absl::StatusOr<std::string> text = DecodeToUtf8(bytes, CsvEncoding::kAuto);
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<CsvRow>> rows = ReadCsv(*text);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  std::vector<std::string> headers = TemplateHeaders();
  headers.push_back("自定义:渠道");
  EXPECT_EQ(rows->front().cells, headers);
  ImportLayout layout = Layout(rows->front().cells);
  for (size_t i = 1; i < rows->size(); ++i) {
    ImportRowResult result = ValidateImportRow(layout, (*rows)[i].cells, ImportOptions{});
    EXPECT_THAT(ErrorTexts(result), IsEmpty()) << "row " << (*rows)[i].row_number;
  }
}

TEST(ImportTemplateFileTest, EveryColumnIsDocumented) {
  std::string docs = ReadSourceFile("docs/IMPORT.md");
  ASSERT_FALSE(docs.empty());
  for (const ImportColumnSpec& spec : ImportColumns()) {
    EXPECT_NE(docs.find("| " + std::string(spec.header) + " | `" + std::string(spec.aliases.front()) + "`"),
              std::string::npos)
        << spec.header;
  }
}

}  // namespace
}  // namespace custflow::domain
