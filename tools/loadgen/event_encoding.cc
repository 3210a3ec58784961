#include "tools/loadgen/event_encoding.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver_util.h>

#include "absl/strings/str_cat.h"

namespace custflow::loadgen {
namespace {

constexpr const char* kTypeUrlPrefix = "type.googleapis.com";

std::string DeterministicBytes(const v1::Interaction& event) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  event.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

google::protobuf::util::TypeResolver& Resolver() {
  static auto* resolver = google::protobuf::util::NewTypeResolverForDescriptorPool(
      kTypeUrlPrefix, google::protobuf::DescriptorPool::generated_pool());
  return *resolver;
}

}  // namespace

absl::Status AppendJson(const v1::Interaction& event, std::string& out) {
  static const std::string kTypeUrl =
      absl::StrCat(kTypeUrlPrefix, "/", v1::Interaction::descriptor()->full_name());
  std::string json;
  auto status = google::protobuf::util::BinaryToJsonString(&Resolver(), kTypeUrl, DeterministicBytes(event),
                                                           &json, google::protobuf::util::JsonPrintOptions());
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot write event ", event.event_id(), " as JSON: ", status.ToString()));
  }
  out += json;
  return absl::OkStatus();
}

absl::Status WriteDelimited(const v1::Interaction& event, std::ostream& out) {
  std::string bytes = DeterministicBytes(event);
  {
    google::protobuf::io::OstreamOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteVarint32(static_cast<uint32_t>(bytes.size()));
    coded.WriteRaw(bytes.data(), static_cast<int>(bytes.size()));
    if (coded.HadError()) return absl::DataLossError("cannot write an event");
  }
  return out ? absl::OkStatus() : absl::DataLossError("cannot write an event");
}

}  // namespace custflow::loadgen
