// ProfileService::ImportCustomers over an in-process gRPC channel, against a real Redis:
// the fixture files are read as the CLI reads them, the published commands are applied by
// the applier, and a second run of the same file must change nothing.
//
// Fixtures (services/profile/tests/data):
//   customers_utf8_bom.csv  UTF-8 with BOM, LF, a quoted cell spanning two lines.
//   customers_gbk.csv       GBK with CRLF, as Excel on Chinese Windows saves it; written as
//                           UTF-8 and converted with `iconv -f UTF-8 -t GBK`.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "custflow/domain/csv_reader.h"
#include "custflow/domain/identity.h"
#include "services/profile/profile_service.h"
#include "services/profile/tests/profile_test_support.h"

namespace custflow::profile::test {
namespace {

using Requests = std::vector<v1::ImportCustomersRequest>;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(CUSTFLOW_IMPORT_TEST_DATA) + "/" + name, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  EXPECT_FALSE(bytes.str().empty()) << name;
  return bytes.str();
}

// The import stream the CLI sends for `file`: decoded, header first, then every row.
Requests FileRequests(const std::string& file, bool dry_run = false) {
  absl::StatusOr<std::string> text = domain::DecodeToUtf8(ReadFixture(file), domain::CsvEncoding::kAuto);
  EXPECT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::vector<domain::CsvRow>> rows = domain::ReadCsv(text.ok() ? *text : "");
  EXPECT_TRUE(rows.ok()) << rows.status();
  Requests requests;
  if (!rows.ok() || rows->empty()) return requests;
  v1::ImportHeader& header = *requests.emplace_back().mutable_header();
  header.mutable_columns()->Assign(rows->front().cells.begin(), rows->front().cells.end());
  header.set_file_name(file);
  header.set_dry_run(dry_run);
  for (size_t i = 1; i < rows->size(); ++i) {
    v1::ImportRow& row = *requests.emplace_back().mutable_row();
    row.set_row_number((*rows)[i].row_number);
    row.mutable_cells()->Assign((*rows)[i].cells.begin(), (*rows)[i].cells.end());
  }
  return requests;
}

std::set<std::string> ErrorSet(const v1::ImportReport& report) {
  std::set<std::string> out;
  for (const v1::RowError& error : report.errors()) {
    out.insert("row " + std::to_string(error.row_number()) + ", " + error.field());
  }
  return out;
}

class ProfileImportTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    service_.emplace(*store_, producer_, open_auth_,
                     ProfileServiceOptions{.commands_topic = kTopics.commands,
                                           .interactions_topic = kTopics.interactions});
    served_.emplace(*service_);
  }
  void TearDown() override { served_.reset(); }

  grpc::Status Import(const Requests& requests, v1::ImportReport& report) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto writer = served_->stub().ImportCustomers(&context, &report);
    for (const v1::ImportCustomersRequest& request : requests) {
      if (!writer->Write(request)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  size_t CommandsDelivered() const { return DeliveredTo(kTopics.commands).size(); }

  // Waits until the applier stored every command delivered so far.
  void WaitAllApplied() {
    std::map<int32_t, int64_t> last;
    for (const auto& record : DeliveredTo(kTopics.commands)) last[record.partition] = record.offset;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (const auto& [partition, offset] : last) {
      while (Applied(kTopics.commands, partition).value_or(-1) < offset) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "partition " << partition << " not applied";
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }

  std::optional<ProfileService> service_;
  std::optional<Served> served_;
};

TEST_F(ProfileImportTest, ImportsGoodRowsOfAUtf8FileWithBomAndReportsEveryBadOne) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  v1::ImportReport report;
  grpc::Status status = Import(FileRequests("customers_utf8_bom.csv"), report);
  ASSERT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(report.rows(), 7u);
  EXPECT_EQ(report.imported(), 4u);
  EXPECT_EQ(report.updated(), 0u);
  EXPECT_EQ(report.unchanged(), 0u);
  EXPECT_EQ(report.rejected(), 3u);
  EXPECT_FALSE(report.dry_run());
  EXPECT_EQ(ErrorSet(report),
            (std::set<std::string>{"row 4, 联系电话", "row 4, 客户类型", "row 4, 首次接触时间",
                                   "row 5, 客户名称", "row 5, 车架号(VIN)", "row 7, 客户编号"}))
      << report.DebugString();
  for (const v1::RowError& error : report.errors())
    EXPECT_FALSE(error.reason().empty()) << error.DebugString();
  ASSERT_EQ(report.duplicates_size(), 2) << report.DebugString();
  EXPECT_EQ(report.duplicates(0).row_number(), 7u);
  EXPECT_EQ(report.duplicates(0).matches(), "row 2");
  EXPECT_EQ(report.duplicates(0).rule(), "same customer id");
  EXPECT_EQ(report.duplicates(1).row_number(), 8u);
  EXPECT_EQ(report.duplicates(1).customer_id(), "U005");
  EXPECT_EQ(report.duplicates(1).matches(), "row 2");
  EXPECT_EQ(report.duplicates(1).rule(), "same phone");

  ASSERT_EQ(CommandsDelivered(), 4u);
  v1::Command command;
  ASSERT_TRUE(command.ParseFromString(DeliveredTo(kTopics.commands)[0].value));
  EXPECT_EQ(command.actor(), "anonymous");  // the caller, here of an authenticator in open mode
  EXPECT_EQ(command.origin(), "ImportCustomers:customers_utf8_bom.csv");
  EXPECT_EQ(command.command_id().rfind("imp_", 0), 0u) << command.command_id();

  WaitAllApplied();
  v1::Profile huawei = Stored("U001");
  EXPECT_EQ(huawei.customer().name(), "深圳华为技术有限公司");
  EXPECT_EQ(huawei.customer().contact_phone(), "+8613800138000");
  EXPECT_EQ(huawei.customer().type(), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(huawei.customer().first_contact_at().seconds(), 1772692200);  // 2026-03-05 14:30 +08:00
  EXPECT_EQ(huawei.customer().notes(), "重点客户\n需回访");
  EXPECT_EQ(huawei.customer().custom_fields().at("渠道"), "线下");
  ASSERT_EQ(huawei.customer().vehicles_size(), 1);
  EXPECT_EQ(huawei.customer().vehicles(0).vin(), "LRWYGGEE1PC000001");
  v1::Profile hangzhou = Stored("U002");
  EXPECT_EQ(hangzhou.customer().name(), "杭州某某贸易, 有限公司");
  EXPECT_EQ(hangzhou.customer().contact_phone(), "+8613900139000");
  EXPECT_EQ(hangzhou.customer().original_values().at("contact_phone"), "139 0013 9000");
  EXPECT_EQ(Stored("U005").customer().name(), "同号码公司");
  std::string derived =
      domain::DeriveCustomerId({.kind = domain::IdentityKind::kPhone, .value = "+8613600136000"});
  EXPECT_EQ(Stored(derived).customer().name(), "北京某某科技");
  for (std::string rejected : {"U003", "U004"}) {
    absl::StatusOr<std::optional<v1::Profile>> profile = store_->Get(rejected);
    ASSERT_TRUE(profile.ok());
    EXPECT_FALSE(profile->has_value()) << rejected;
  }
}

TEST_F(ProfileImportTest, ImportsAGbkFileAndReportsEveryBadRow) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  v1::ImportReport report;
  grpc::Status status = Import(FileRequests("customers_gbk.csv"), report);
  ASSERT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(report.rows(), 5u);
  EXPECT_EQ(report.imported(), 2u);
  EXPECT_EQ(report.rejected(), 3u);
  EXPECT_EQ(ErrorSet(report), (std::set<std::string>{"row 3, 邮箱", "row 4, 购车日期", "row 6, "}))
      << report.DebugString();

  WaitAllApplied();
  v1::Profile guangzhou = Stored("G001");
  EXPECT_EQ(guangzhou.customer().name(), "广州某某汽车销售服务有限公司");
  EXPECT_EQ(guangzhou.customer().contact_phone(), "+862088886666");
  EXPECT_EQ(guangzhou.customer().type(), v1::CUSTOMER_TYPE_CLOSED);
  EXPECT_EQ(guangzhou.customer().owner(), "王芳");
  ASSERT_EQ(guangzhou.customer().vehicles_size(), 1);
  EXPECT_EQ(guangzhou.customer().vehicles(0).plate(), "粤A12345");
  EXPECT_EQ(Stored("G004").customer().name(), "西安某某\"新能源\"公司");
}

TEST_F(ProfileImportTest, ImportingTheSameFilesAgainChangesNothing) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  for (const char* file : {"customers_utf8_bom.csv", "customers_gbk.csv"}) {
    v1::ImportReport first;
    ASSERT_TRUE(Import(FileRequests(file), first).ok()) << file;
  }
  WaitAllApplied();
  size_t commands = CommandsDelivered();
  std::map<std::string, std::string> before = RedisContents();

  for (const char* file : {"customers_utf8_bom.csv", "customers_gbk.csv"}) {
    v1::ImportReport again;
    grpc::Status status = Import(FileRequests(file), again);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(again.imported(), 0u) << file;
    EXPECT_EQ(again.updated(), 0u) << file;
    EXPECT_EQ(again.unchanged(), again.rows() - again.rejected()) << file;
    EXPECT_GT(again.unchanged(), 0u) << file;
  }
  EXPECT_EQ(CommandsDelivered(), commands);
  EXPECT_EQ(RedisContents(), before);
}

TEST_F(ProfileImportTest, ReportsAChangedRowAsUpdated) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  v1::ImportReport first;
  ASSERT_TRUE(Import(FileRequests("customers_gbk.csv"), first).ok());
  WaitAllApplied();

  Requests requests = FileRequests("customers_gbk.csv");
  requests[1].mutable_row()->set_cells(7, "李雷");  // 负责人 of G001
  v1::ImportReport second;
  ASSERT_TRUE(Import(requests, second).ok());
  EXPECT_EQ(second.updated(), 1u);
  EXPECT_EQ(second.unchanged(), 1u);
  WaitAllApplied();
  EXPECT_EQ(Stored("G001").customer().owner(), "李雷");
}

// Rows for `count` customers with generated ids and phones; the header is the required
// columns plus the id.
Requests GeneratedRequests(int count) {
  Requests requests;
  v1::ImportHeader& header = *requests.emplace_back().mutable_header();
  for (const char* column : {"客户编号", "客户名称", "联系人", "联系电话", "行业", "客户类型"})
    header.add_columns(column);
  header.set_file_name("generated.csv");
  for (int i = 0; i < count; ++i) {
    v1::ImportRow& row = *requests.emplace_back().mutable_row();
    row.set_row_number(static_cast<uint64_t>(i) + 2);
    char phone[16];
    std::snprintf(phone, sizeof phone, "1380%07d", i);
    for (std::string cell : {"G" + std::to_string(i), "公司" + std::to_string(i), std::string("张三"),
                             std::string(phone), std::string("制造业"), std::string("潜在客户")}) {
      row.add_cells(cell);
    }
  }
  return requests;
}

TEST_F(ProfileImportTest, ImportsAcrossChunksAndFindsRepeatsInEarlierChunks) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  Requests requests = GeneratedRequests(1'201);
  // The last row repeats the first row's id, two chunks later.
  requests.back().mutable_row()->set_cells(0, "G0");
  v1::ImportReport report;
  grpc::Status status = Import(requests, report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(report.rows(), 1'201u);
  EXPECT_EQ(report.imported(), 1'200u);
  EXPECT_EQ(report.rejected(), 1u);
  ASSERT_EQ(report.errors_size(), 1);
  EXPECT_EQ(report.errors(0).row_number(), 1'202u);
  EXPECT_EQ(report.errors(0).field(), "客户编号");
  EXPECT_EQ(report.errors(0).reason(), "customer G0 is already in row 2");
  EXPECT_EQ(CommandsDelivered(), 1'200u);
  WaitAllApplied();
  EXPECT_EQ(Stored("G1199").customer().contact_phone(), "+8613800001199");
}

TEST_F(ProfileImportTest, ReportsAPhoneStoredForAnotherCustomerAndImportsTheRowAnyway) {
  Broker broker(producer_);
  DeliveredApplier consumer(producer_, *applier_, {kTopics.commands});
  v1::ImportReport first;
  ASSERT_TRUE(Import(FileRequests("customers_gbk.csv"), first).ok());
  WaitAllApplied();

  Requests requests = FileRequests("customers_gbk.csv");
  requests.resize(2);
  requests[1].mutable_row()->set_cells(0, "G101");  // G001's row under another id
  v1::ImportReport second;
  ASSERT_TRUE(Import(requests, second).ok());
  EXPECT_EQ(second.imported(), 1u);
  ASSERT_EQ(second.duplicates_size(), 1) << second.DebugString();
  EXPECT_EQ(second.duplicates(0).row_number(), 2u);
  EXPECT_EQ(second.duplicates(0).customer_id(), "G101");
  EXPECT_EQ(second.duplicates(0).matches(), "G001");
  EXPECT_EQ(second.duplicates(0).rule(), "same phone");
}

TEST_F(ProfileImportTest, AnswersUnavailableWhenRedisFails) {
  Broker broker(producer_);
  server_.reset();  // stops redis-server
  v1::ImportReport report;
  grpc::Status status = Import(FileRequests("customers_gbk.csv"), report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message().rfind("Redis: ", 0), 0u) << status.error_message();
  EXPECT_NE(status.error_message().find("0 rows were imported before the failure"), std::string::npos)
      << status.error_message();
  EXPECT_EQ(CommandsDelivered(), 0u);
}

TEST_F(ProfileImportTest, DryRunReportsButPublishesNothing) {
  Broker broker(producer_);
  v1::ImportReport report;
  grpc::Status status = Import(FileRequests("customers_utf8_bom.csv", /*dry_run=*/true), report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(report.dry_run());
  EXPECT_EQ(report.imported(), 4u);
  EXPECT_EQ(report.rejected(), 3u);
  EXPECT_EQ(CommandsDelivered() + producer_.pending_count(), 0u);
}

TEST_F(ProfileImportTest, RefusesABadHeaderAsAWhole) {
  Requests requests = FileRequests("customers_gbk.csv");
  requests[0].mutable_header()->set_columns(4, "传真");
  v1::ImportReport report;
  grpc::Status status = Import(requests, report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "customers_gbk.csv: bad header: unknown column '传真'; missing required column 行业 (industry)");
  EXPECT_EQ(producer_.pending_count(), 0u);
}

TEST_F(ProfileImportTest, RefusesAStreamThatDoesNotStartWithTheHeader) {
  Requests requests = FileRequests("customers_gbk.csv");
  requests.erase(requests.begin());
  v1::ImportReport report;
  grpc::Status status = Import(requests, report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "the first message of an import must be the header");
}

TEST_F(ProfileImportTest, AnswersUnavailableWhenKafkaFails) {
  // The first send is refused at once, the others fail on delivery.
  producer_.FailNextSend(absl::UnavailableError("broker down"));
  std::atomic<bool> done{false};
  // Fails whatever else was queued, as a broker that went away would.
  std::thread failing_broker([this, &done] {
    while (!done) {
      producer_.DeliverPending(absl::UnavailableError("broker down"));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  v1::ImportReport report;
  grpc::Status status = Import(FileRequests("customers_gbk.csv"), report);
  done = true;
  failing_broker.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("Kafka: broker down; 0 rows were imported"), std::string::npos)
      << status.error_message();
}

}  // namespace
}  // namespace custflow::profile::test
