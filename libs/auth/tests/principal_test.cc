// Roles, the rules every principal obeys, and the rows each role may read.
#include "custflow/auth/principal.h"

#include <gtest/gtest.h>

namespace custflow::auth {
namespace {

TEST(RoleTest, EveryRoleNameParsesBack) {
  for (Role role : {Role::kAdmin, Role::kManager, Role::kSales, Role::kService, Role::kIngest}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role) << RoleName(role);
  }
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

TEST(RoleTest, OnlyAdminsSeePiiByDefault) {
  EXPECT_TRUE(PiiByDefault(Role::kAdmin));
  for (Role role : {Role::kManager, Role::kSales, Role::kService, Role::kIngest})
    EXPECT_FALSE(PiiByDefault(role));
}

struct ValidationCase {
  std::string label;
  Principal principal;
  std::string error;  // empty when valid
};

void PrintTo(const ValidationCase& c, std::ostream* out) { *out << c.label; }

class ValidatePrincipalTest : public testing::TestWithParam<ValidationCase> {};

TEST_P(ValidatePrincipalTest, ChecksTheRoleRules) {
  absl::Status status = ValidatePrincipal(GetParam().principal);
  if (GetParam().error.empty()) {
    EXPECT_TRUE(status.ok()) << status;
  } else {
    EXPECT_NE(std::string(status.message()).find(GetParam().error), std::string::npos) << status;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ValidatePrincipalTest,
    testing::Values(
        ValidationCase{"admin", {.name = "root", .role = Role::kAdmin}, ""},
        ValidationCase{"service", {.name = "tagging", .role = Role::kService}, ""},
        ValidationCase{"ingest", {.name = "pos", .role = Role::kIngest}, ""},
        ValidationCase{"manager", {.name = "m", .role = Role::kManager, .department = "销售一部"}, ""},
        ValidationCase{
            "sales", {.name = "li.na", .role = Role::kSales, .department = "销售一部", .owner = "李娜"}, ""},
        ValidationCase{"nameless", {.name = "", .role = Role::kAdmin}, "needs a name"},
        ValidationCase{"manager_without_department",
                       {.name = "m", .role = Role::kManager},
                       "manager needs a department"},
        ValidationCase{"sales_without_department",
                       {.name = "s", .role = Role::kSales, .owner = "李娜"},
                       "sales needs a department"},
        ValidationCase{"sales_without_owner",
                       {.name = "s", .role = Role::kSales, .department = "销售一部"},
                       "needs an owner"}),
    [](const testing::TestParamInfo<ValidationCase>& param) { return param.param.label; });

TEST(RowScopeTest, EachRoleSeesItsRows) {
  struct Case {
    Role role;
    RowScope::Kind kind;
    bool own_row;         // 销售一部 / 李娜
    bool colleague_row;   // 销售一部 / 王芳
    bool other_dept_row;  // 销售二部 / 张伟
  };
  const Case cases[] = {
      {Role::kAdmin, RowScope::Kind::kEverything, true, true, true},
      {Role::kService, RowScope::Kind::kEverything, true, true, true},
      {Role::kManager, RowScope::Kind::kDepartment, true, true, false},
      {Role::kSales, RowScope::Kind::kOwner, true, false, false},
      {Role::kIngest, RowScope::Kind::kNothing, false, false, false},
  };
  for (const Case& c : cases) {
    Principal principal{.name = "p", .role = c.role, .department = "销售一部", .owner = "李娜"};
    RowScope scope = RowScope::Of(principal);
    SCOPED_TRACE(RoleName(c.role));
    EXPECT_EQ(scope.kind(), c.kind);
    EXPECT_EQ(scope.Contains("销售一部", "李娜"), c.own_row);
    EXPECT_EQ(scope.Contains("销售一部", "王芳"), c.colleague_row);
    EXPECT_EQ(scope.Contains("销售二部", "张伟"), c.other_dept_row);
  }
}

TEST(RowScopeTest, BindsOnlyTheValueItsKindUses) {
  Principal manager{.name = "m", .role = Role::kManager, .department = "销售一部", .owner = "x"};
  EXPECT_EQ(RowScope::Of(manager).department(), "销售一部");
  EXPECT_EQ(RowScope::Of(manager).owner(), "");
  Principal sales{.name = "s", .role = Role::kSales, .department = "销售一部", .owner = "李娜"};
  EXPECT_EQ(RowScope::Of(sales).owner(), "李娜");
  EXPECT_EQ(RowScope::Of(sales).department(), "");
}

TEST(RowScopeTest, EmptyValuesNeverMatchRowsWithoutOwnerOrDepartment) {
  // A principal built without the rules enforced must not see rows missing those fields.
  Principal sales{.name = "s", .role = Role::kSales};
  EXPECT_FALSE(RowScope::Of(sales).Contains("", ""));
  Principal manager{.name = "m", .role = Role::kManager};
  EXPECT_FALSE(RowScope::Of(manager).Contains("", ""));
}

}  // namespace
}  // namespace custflow::auth
