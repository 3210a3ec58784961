#include "custflow/auth/token_store.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "custflow/core/config.h"
#include "custflow/yaml/known_keys.h"

namespace custflow::auth {
absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError("cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Collects every error of a token file with its position.
class Reader {
 public:
  explicit Reader(std::string_view file_name) : file_(file_name) {}

  bool ok() const { return errors_.empty(); }
  absl::Status Refusal() const {
    std::string message;
    for (const std::string& error : errors_) message += (message.empty() ? "" : "\n") + error;
    return absl::InvalidArgumentError(message);
  }

  void Error(const YAML::Mark& mark, std::string_view reason) {
    std::string where = file_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    errors_.push_back(where + ": " + std::string(reason));
  }

  // Reports keys of `map` other than `known`; false when `map` is not a mapping.
  bool CheckMap(const YAML::Node& map, std::string_view what, std::initializer_list<std::string_view> known) {
    return yaml::CheckKnownKeys(map, what, known,
                                [this](const YAML::Mark& mark, std::string reason) { Error(mark, reason); });
  }

  // The scalar under `key`, empty when absent.
  std::string Text(const YAML::Node& map, const char* key) {
    YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) return "";
    if (!node.IsScalar()) {
      Error(node.Mark(), "'" + std::string(key) + "' must be a single value");
      return "";
    }
    return node.Scalar();
  }

  std::optional<bool> Flag(const YAML::Node& map, const char* key) {
    YAML::Node node = map[key];
    if (!node.IsDefined()) return std::nullopt;
    if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false"))
      return node.Scalar() == "true";
    Error(node.Mark(), "'" + std::string(key) + "' must be true or false");
    return std::nullopt;
  }

  // The contents of the file named under `key`, or empty when absent or unreadable.
  std::string KeyFile(const YAML::Node& map, const char* key) {
    std::string path = Text(map, key);
    if (path.empty()) return "";
    absl::StatusOr<std::string> contents = ReadFile(path);
    if (!contents.ok()) {
      Error(map[key].Mark(), "'" + std::string(key) + "': " + std::string(contents.status().message()));
      return "";
    }
    return *std::move(contents);
  }

  void ReadPrincipal(const YAML::Node& node) {
    if (!CheckMap(node, "a principal", {"name", "role", "department", "owner", "pii", "token_sha256"}))
      return;
    Principal principal;
    principal.name = Text(node, "name");
    std::string role = Text(node, "role");
    std::optional<Role> parsed = ParseRole(role);
    if (!parsed) {
      Error(At(node, "role"), "principal '" + principal.name + "': role '" + role +
                                  "' is not admin, manager, sales, service or ingest");
      return;
    }
    principal.role = *parsed;
    principal.department = Text(node, "department");
    principal.owner = Text(node, "owner");
    principal.pii = Flag(node, "pii").value_or(PiiByDefault(principal.role));
    if (absl::Status valid = ValidatePrincipal(principal); !valid.ok()) {
      Error(node.Mark(), "principal '" + principal.name + "': " + std::string(valid.message()));
    }
    std::optional<TokenDigest> digest = ParseDigestHex(Text(node, "token_sha256"));
    if (!digest) {
      Error(At(node, "token_sha256"),
            "principal '" + principal.name +
                "': token_sha256 must be 64 hex digits (custflow-token hash prints it)");
      return;
    }
    if (!principal.name.empty() && !names_.insert(principal.name).second) {
      Error(At(node, "name"), "principal '" + principal.name + "' is listed twice");
    }
    if (FindDigest(digests, *digest)) {
      Error(At(node, "token_sha256"),
            "principal '" + principal.name + "' has the token of another principal");
    }
    principals.push_back(std::move(principal));
    digests.push_back(*digest);
  }

  std::optional<JwtVerifier> ReadJwt(const YAML::Node& node) {
    if (!CheckMap(node, "jwt", {"issuer", "hs256_secret_file", "rs256_public_key_file", "leeway"})) {
      return std::nullopt;
    }
    JwtSettings settings;
    settings.issuer = Text(node, "issuer");
    // Secret files usually end with a newline that is not part of the key.
    settings.hs256_secret = KeyFile(node, "hs256_secret_file");
    while (!settings.hs256_secret.empty() && IsSpace(settings.hs256_secret.back()))
      settings.hs256_secret.pop_back();
    settings.rs256_public_key_pem = KeyFile(node, "rs256_public_key_file");
    if (std::string leeway = Text(node, "leeway"); !leeway.empty()) {
      std::chrono::milliseconds parsed{0};
      if (absl::Status status = core::ParseDuration(leeway, parsed); !status.ok() || parsed.count() < 0) {
        Error(node["leeway"].Mark(), "'leeway' must be a duration such as 30s");
      } else {
        settings.leeway = std::chrono::duration_cast<std::chrono::seconds>(parsed);
      }
    }
    if (!ok()) return std::nullopt;
    absl::StatusOr<JwtVerifier> verifier = JwtVerifier::Create(std::move(settings));
    if (!verifier.ok()) {
      Error(node.Mark(), std::string(verifier.status().message()));
      return std::nullopt;
    }
    return *std::move(verifier);
  }

  std::vector<Principal> principals;
  std::vector<TokenDigest> digests;

 private:
  // Where `key` of `map` is, or where `map` is when the key is absent.
  static YAML::Mark At(const YAML::Node& map, const char* key) {
    YAML::Node node = map[key];
    return node.IsDefined() ? node.Mark() : map.Mark();
  }

  std::string file_;
  std::vector<std::string> errors_;
  std::set<std::string> names_;
};

// Far above any opaque token or JWT custflow accepts; bounds the work a caller can cause.
constexpr size_t kMaxTokenBytes = 8192;

bool IsTokenCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

// The token of "Bearer <token>" (RFC 6750 §2.1; the scheme in any case).
absl::StatusOr<std::string_view> BearerToken(std::string_view header) {
  header = Trim(header);
  if (header.empty())
    return absl::UnauthenticatedError("no authorization: send 'Authorization: Bearer <token>'");
  size_t space = header.find(' ');
  std::string_view scheme = header.substr(0, space);
  bool bearer = scheme.size() == 6 && std::equal(scheme.begin(), scheme.end(), "bearer", [](char a, char b) {
                  return (a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a) == b;
                });
  if (!bearer || space == std::string_view::npos) {
    return absl::UnauthenticatedError("the authorization is not 'Bearer <token>'");
  }
  std::string_view token = Trim(header.substr(space + 1));
  if (token.size() > kMaxTokenBytes) return absl::UnauthenticatedError("the bearer token is too long");
  if (token.empty() || !std::all_of(token.begin(), token.end(), IsTokenCharacter)) {
    return absl::UnauthenticatedError("the bearer token is malformed");
  }
  return token;
}

}  // namespace

absl::StatusOr<TokenStore> TokenStore::Load(const std::string& path, Clock clock) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path, std::move(clock));
}

absl::StatusOr<TokenStore> TokenStore::Parse(std::string_view text, std::string_view file_name, Clock clock) {
  Reader reader(file_name);
  std::optional<JwtVerifier> jwt;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    // An empty file accepts nobody, as a file without principals does.
    if (!root.IsNull() && reader.CheckMap(root, "the token file", {"principals", "jwt"})) {
      YAML::Node list = root["principals"];
      if (list.IsDefined() && !list.IsNull() && !list.IsSequence()) {
        reader.Error(list.Mark(), "'principals' must be a list");
      } else if (list.IsSequence()) {
        for (const YAML::Node& item : list) reader.ReadPrincipal(item);
      }
      if (YAML::Node settings = root["jwt"]; settings.IsDefined() && !settings.IsNull()) {
        jwt = reader.ReadJwt(settings);
      }
    }
  } catch (const YAML::Exception& error) {  // a syntax error or a node of an unexpected shape
    reader.Error(error.mark, error.msg);
  }
  if (!reader.ok()) return reader.Refusal();
  if (!clock) clock = [] { return std::chrono::system_clock::now(); };
  return TokenStore(std::move(reader.principals), std::move(reader.digests), std::move(jwt),
                    std::move(clock));
}

absl::StatusOr<Principal> TokenStore::Authenticate(std::string_view authorization_header) const {
  absl::StatusOr<std::string_view> token = BearerToken(authorization_header);
  if (!token.ok()) return token.status();
  if (std::count(token->begin(), token->end(), '.') == 2) {
    if (!jwt_)
      return absl::UnauthenticatedError("JWTs are not accepted: the token file has no 'jwt' section");
    return jwt_->Verify(*token, clock_());
  }
  std::optional<size_t> index = FindDigest(digests_, DigestToken(*token));
  if (!index) return absl::UnauthenticatedError("the bearer token is not known");
  return principals_[*index];
}

}  // namespace custflow::auth
