// custflow-token: mints bearer tokens and prints the SHA-256 digests a token file stores.
//   custflow-token new          a fresh random token and its digest
//   custflow-token hash TOKEN   the digest of TOKEN
//   custflow-token hash -       the digest of the token on standard input (kept out of the
//                               shell history and the process list)
#include <iostream>
#include <string>
#include <string_view>

#include "custflow/auth/token_digest.h"

namespace {

int Usage() {
  std::cerr << "usage: custflow-token new | custflow-token hash TOKEN|-\n"
               "  new   prints a fresh random token (give it to the caller) and its token_sha256\n"
               "        (put it in the token file)\n"
               "  hash  prints the token_sha256 of an existing token ('-' reads it from standard input)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using custflow::auth::DigestToHex;
  using custflow::auth::DigestToken;
  std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "new" && argc == 2) {
    absl::StatusOr<std::string> token = custflow::auth::NewToken();
    if (!token.ok()) {
      std::cerr << "custflow-token: " << token.status().message() << "\n";
      return 1;
    }
    std::cout << "token: " << *token << "\ntoken_sha256: " << DigestToHex(DigestToken(*token)) << "\n";
    return 0;
  }
  if (command == "hash" && argc == 3) {
    std::string token = argv[2];
    if (token == "-" && !std::getline(std::cin, token)) return Usage();
    std::cout << DigestToHex(DigestToken(token)) << "\n";
    return 0;
  }
  return Usage();
}
