// ProfileService::ImportCustomers: a spreadsheet laid out like the import template
// (docs/IMPORT.md), streamed header first, then row by row. Rows are validated and
// cleansed by custflow/domain/import_template.h; good rows become upsert commands, a chunk
// at a time, and bad rows are reported with row, column and reason. A row equal to the
// stored customer publishes nothing and command ids follow from the row's content, so
// importing the same file again changes nothing. Rows that would touch a customer outside
// the caller's row scope, or leave one outside it, are rejected as UpsertCustomer refuses
// them.
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <future>
#include <unordered_map>

#include "custflow/core/grpc_status.h"
#include "custflow/domain/identity.h"
#include "custflow/domain/import_template.h"
#include "custflow/domain/profile_fold.h"
#include "custflow/v1/command.pb.h"
#include "services/profile/profile_service.h"

namespace custflow::profile {
namespace {

// Rows validated, looked up in Redis and published together; bounds memory and the
// work lost to a failure.
constexpr size_t kChunkRows = 500;

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// "imp_" + a hash of what the row says: the same row imported twice is the same command.
std::string ImportCommandId(const v1::Customer& customer) {
  return "imp_" + domain::StableHashHex(customer.customer_id() + '\n' + DeterministicBytes(customer));
}

bool IsBlank(const v1::ImportRow& row) {
  for (const std::string& cell : row.cells()) {
    if (cell.find_first_not_of(" \t\r\n") != std::string::npos) return false;
  }
  return true;
}

grpc::Status Unavailable(std::string_view system, const absl::Status& status, uint64_t written) {
  return grpc::Status(
      grpc::StatusCode::UNAVAILABLE,
      std::string(system) + ": " + std::string(status.message()) + "; " + std::to_string(written) +
          " rows were imported before the failure, the rest of the file was not (importing the "
          "file again is safe)");
}

// One import: the rows of the current chunk and what earlier rows of the file said.
class Importer {
 public:
  Importer(ProfileStore& store, kafka::Producer& producer, const ProfileServiceOptions& options,
           const auth::Principal& caller, domain::ImportLayout layout, const v1::ImportHeader& header,
           v1::ImportReport& report)
      : store_(store),
        producer_(producer),
        options_(options),
        scope_(auth::RowScope::Of(caller)),
        layout_(std::move(layout)),
        actor_(caller.name),
        origin_("ImportCustomers:" + header.file_name()),
        dry_run_(header.dry_run()),
        report_(report) {
    report_.set_dry_run(dry_run_);
  }

  // Validates a row and, when good, queues it for the chunk.
  void Add(const v1::ImportRow& row, uint64_t row_number) {
    if (IsBlank(row)) return;
    report_.set_rows(report_.rows() + 1);
    std::vector<std::string> cells(row.cells().begin(), row.cells().end());
    domain::ImportRowResult result =
        domain::ValidateImportRow(layout_, cells, {.default_region = options_.default_region});
    if (!result.errors.empty()) {
      Reject(row_number, result.errors);
      return;
    }

    const std::string& id = result.customer.customer_id();
    if (auto [earlier, added] = row_of_id_.emplace(id, row_number); !added) {
      AddDuplicate(row_number, id, "row " + std::to_string(earlier->second), "same customer id");
      Reject(row_number,
             {{.column = IdColumn(),
               .reason = "customer " + id + " is already in row " + std::to_string(earlier->second)}});
      return;
    }
    const std::string& phone = result.customer.contact_phone();
    if (auto [earlier, added] = row_of_phone_.emplace(phone, row_number); !added) {
      AddDuplicate(row_number, id, "row " + std::to_string(earlier->second), "same phone");
    }
    chunk_.push_back({.row_number = row_number, .customer = std::move(result.customer)});
  }

  bool ChunkFull() const { return chunk_.size() >= kChunkRows; }

  // Classifies the chunk's rows against Redis and publishes the new and changed ones.
  grpc::Status Flush() {
    if (chunk_.empty()) return grpc::Status::OK;
    std::vector<std::string> ids;
    std::vector<domain::Identity> phones;
    for (const Row& row : chunk_) {
      ids.push_back(row.customer.customer_id());
      phones.push_back({.kind = domain::IdentityKind::kPhone,
                        .value = domain::NormalizePhone(row.customer.contact_phone())});
    }
    absl::StatusOr<std::vector<std::optional<v1::Profile>>> stored = store_.BatchGet(ids);
    if (!stored.ok()) return Unavailable("Redis", stored.status(), written_);
    absl::StatusOr<std::vector<std::optional<std::string>>> owners = store_.Resolve(phones);
    if (!owners.ok()) return Unavailable("Redis", owners.status(), written_);

    std::vector<v1::Command> commands;
    for (size_t i = 0; i < chunk_.size(); ++i) {
      const Row& row = chunk_[i];
      if ((*owners)[i] && *(*owners)[i] != ids[i])
        AddDuplicate(row.row_number, ids[i], *(*owners)[i], "same phone");
      v1::Command command = UpsertCommand(row.customer);
      if (std::optional<std::string> refused = OutOfScope(command, (*stored)[i])) {
        Reject(row.row_number, {{.column = IdColumn(), .reason = std::move(*refused)}});
        continue;
      }
      if (!Changes(command, (*stored)[i])) {
        report_.set_unchanged(report_.unchanged() + 1);
        continue;
      }
      if ((*stored)[i]) {
        report_.set_updated(report_.updated() + 1);
      } else {
        report_.set_imported(report_.imported() + 1);
      }
      commands.push_back(std::move(command));
    }
    chunk_.clear();
    return dry_run_ ? grpc::Status::OK : Publish(commands);
  }

 private:
  struct Row {
    uint64_t row_number;
    v1::Customer customer;
  };

  v1::Command UpsertCommand(const v1::Customer& customer) const {
    v1::Command command;
    command.set_command_id(ImportCommandId(customer));
    command.set_customer_id(customer.customer_id());
    command.set_actor(actor_);
    command.set_origin(origin_);
    *command.mutable_issued_at() = google::protobuf::util::TimeUtil::GetCurrentTime();
    *command.mutable_upsert()->mutable_customer() = customer;
    return command;
  }

  // Whether applying `command` would change the stored customer's master data; decided by
  // the same fold the applier runs, so "unchanged" means exactly "nothing to write".
  static bool Changes(const v1::Command& command, const std::optional<v1::Profile>& stored) {
    if (!stored) return true;
    v1::Profile after = *stored;
    domain::ApplyCommand(after, command);
    return !google::protobuf::util::MessageDifferencer::Equals(after.customer(), stored->customer());
  }

  // Why `command` may not be imported by the caller, or nullopt when it keeps its customer
  // within the caller's row scope (the rule of UpsertCustomer).
  std::optional<std::string> OutOfScope(const v1::Command& command,
                                        const std::optional<v1::Profile>& stored) const {
    if (stored && !InScope(scope_, *stored))
      return "customer " + command.customer_id() + " is outside your row scope";
    v1::Profile after = stored ? *stored : v1::Profile();
    after.set_customer_id(command.customer_id());
    domain::ApplyCommand(after, command);
    if (InScope(scope_, after)) return std::nullopt;
    return "customer " + command.customer_id() +
           " would be outside your row scope: set its owner or department to yours";
  }

  // Sends the chunk's commands, then waits for the previous chunk's deliveries: one chunk
  // is always on its way to Kafka while the next is checked against Redis.
  grpc::Status Publish(const std::vector<v1::Command>& commands) {
    std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>> sent;
    sent.reserve(commands.size());
    for (const v1::Command& command : commands) {
      sent.push_back(
          producer_.SendAsync(options_.commands_topic, command.customer_id(), command.SerializeAsString()));
    }
    grpc::Status previous = AwaitDeliveries();
    in_flight_ = std::move(sent);
    return previous;
  }

 public:
  // Flushes the last chunk and waits until Kafka has every command: the import is done.
  grpc::Status Finish() {
    if (grpc::Status flushed = Flush(); !flushed.ok()) return flushed;
    return AwaitDeliveries();
  }

 private:
  grpc::Status AwaitDeliveries() {
    absl::Status failure;
    for (auto& delivery : in_flight_) {
      absl::StatusOr<kafka::DeliveryReport> stored = delivery.get();
      if (stored.ok()) {
        ++written_;
      } else if (failure.ok()) {
        failure = stored.status();
      }
    }
    in_flight_.clear();
    if (!failure.ok()) return Unavailable("Kafka", failure, written_);
    return grpc::Status::OK;
  }

  void Reject(uint64_t row_number, const std::vector<domain::ImportFieldError>& errors) {
    report_.set_rejected(report_.rejected() + 1);
    for (const domain::ImportFieldError& error : errors) {
      v1::RowError* out = report_.add_errors();
      out->set_row_number(row_number);
      out->set_field(error.column);
      out->set_reason(error.reason);
    }
  }

  void AddDuplicate(uint64_t row_number, const std::string& customer_id, std::string matches,
                    std::string rule) {
    v1::ImportDuplicate* duplicate = report_.add_duplicates();
    duplicate->set_row_number(row_number);
    duplicate->set_customer_id(customer_id);
    duplicate->set_matches(std::move(matches));
    duplicate->set_rule(std::move(rule));
  }

  // The column a repeated id came from: the id column, or the phone it was derived from.
  std::string IdColumn() const {
    std::string column = domain::ColumnForField(layout_, "customer_id");
    return column == "customer_id" ? domain::ColumnForField(layout_, "contact_phone") : column;
  }

  ProfileStore& store_;
  kafka::Producer& producer_;
  const ProfileServiceOptions& options_;
  const auth::RowScope scope_;
  const domain::ImportLayout layout_;
  // The audit log's who and how: the caller, and the rpc with the file's name.
  const std::string actor_;
  const std::string origin_;
  const bool dry_run_;
  v1::ImportReport& report_;
  std::vector<Row> chunk_;
  // First row of each customer id and each phone in the file.
  std::unordered_map<std::string, uint64_t> row_of_id_;
  std::unordered_map<std::string, uint64_t> row_of_phone_;
  // Rows Kafka confirmed.
  uint64_t written_ = 0;
  // The previous chunk's deliveries, awaited after the next chunk is sent.
  std::vector<std::future<absl::StatusOr<kafka::DeliveryReport>>> in_flight_;
};

}  // namespace

grpc::Status ProfileService::ImportCustomers(grpc::ServerContext* context,
                                             grpc::ServerReader<v1::ImportCustomersRequest>* reader,
                                             v1::ImportReport* response) {
  // Before the first message is read: a caller who may not import learns it at once.
  absl::StatusOr<auth::Principal> caller = Authorize(context, "ImportCustomers");
  if (!caller.ok()) return core::ToGrpcStatus(caller.status());
  v1::ImportCustomersRequest request;
  if (!reader->Read(&request) || !request.has_header()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of an import must be the header");
  }
  const v1::ImportHeader header = request.header();
  std::vector<std::string> columns(header.columns().begin(), header.columns().end());
  absl::StatusOr<domain::ImportLayout> layout = domain::ParseImportHeader(columns);
  if (!layout.ok()) {
    std::string file = header.file_name().empty() ? "" : header.file_name() + ": ";
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, file + std::string(layout.status().message()));
  }
  Importer importer(store_, producer_, options_, *caller, std::move(*layout), header, *response);
  uint64_t previous_row = 1;  // the header
  while (reader->Read(&request)) {
    if (!request.has_row()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "a second header after row " + std::to_string(previous_row));
    }
    // Rows the client did not number are numbered in stream order.
    uint64_t row_number = request.row().row_number() != 0 ? request.row().row_number() : previous_row + 1;
    previous_row = row_number;
    importer.Add(request.row(), row_number);
    if (importer.ChunkFull()) {
      if (grpc::Status status = importer.Flush(); !status.ok()) return status;
    }
  }
  return importer.Finish();
}

}  // namespace custflow::profile
