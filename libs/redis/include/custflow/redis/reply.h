// A Redis reply as a plain value, independent of hiredis, so that code using Redis and
// its in-memory test doubles share one type.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace custflow::redis {

class Reply {
 public:
  enum class Type { kNil, kStatus, kError, kInteger, kString, kArray };

  // A nil reply (a missing key, for example).
  Reply() = default;

  static Reply Nil() { return Reply(); }
  static Reply Status(std::string text) { return Reply(Type::kStatus, std::move(text)); }
  static Reply Error(std::string text) { return Reply(Type::kError, std::move(text)); }
  static Reply String(std::string value) { return Reply(Type::kString, std::move(value)); }
  static Reply Integer(int64_t value);
  static Reply Array(std::vector<Reply> elements);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_status() const { return type_ == Type::kStatus; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }

  // The bytes of a string reply or the text of a status or error reply; empty otherwise.
  // The rvalue overload moves the bytes out, so `std::move(reply).str()` never copies.
  const std::string& str() const& { return str_; }
  std::string str() && { return std::move(str_); }

  // The value of an integer reply; 0 otherwise.
  int64_t integer() const { return integer_; }

  // The elements of an array reply; empty otherwise.
  const std::vector<Reply>& elements() const& { return elements_; }
  std::vector<Reply> elements() && { return std::move(elements_); }

  // OK unless this is an error reply; then a status carrying Redis's own text, with a code
  // chosen from the error prefix so that callers can tell a retryable condition (LOADING,
  // BUSY, ...) from a bug in the command (ERR, WRONGTYPE, ...).
  absl::Status ToStatus() const;

  // A short human-readable form, e.g. `"abc"`, `(integer) 3`, `(error) ERR ...`, `[1, nil]`.
  std::string DebugString() const;

  bool operator==(const Reply& other) const = default;

 private:
  Reply(Type type, std::string text) : type_(type), str_(std::move(text)) {}

  Type type_ = Type::kNil;
  int64_t integer_ = 0;
  std::string str_;
  std::vector<Reply> elements_;
};

std::ostream& operator<<(std::ostream& out, const Reply& reply);

}  // namespace custflow::redis
