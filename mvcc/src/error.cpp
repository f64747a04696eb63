#include "troupe/mvcc/error.hpp"

#include <cctype>

#include "troupe/mvcc/types.hpp"

namespace troupe::mvcc {

retry_class retry_class_of(errc code) noexcept {
  switch (code) {
  case errc::locked:
  case errc::busy:
  case errc::io_error:
    return retry_class::retry_call;
  case errc::write_conflict:
  case errc::timestamp_too_old:
  case errc::txn_aborted:
    return retry_class::retry_transaction;
  case errc::txn_not_prepared:
  case errc::txn_committed:
  case errc::key_too_large:
  case errc::value_too_large:
  case errc::invalid_argument:
  case errc::shard_not_empty:
  case errc::corrupt_record:
  case errc::shutting_down:
    return retry_class::do_not_retry;
  }
  return retry_class::do_not_retry;
}

const char* to_string(errc code) noexcept {
  switch (code) {
  case errc::write_conflict:
    return "write_conflict";
  case errc::locked:
    return "locked";
  case errc::timestamp_too_old:
    return "timestamp_too_old";
  case errc::busy:
    return "busy";
  case errc::txn_not_prepared:
    return "txn_not_prepared";
  case errc::txn_aborted:
    return "txn_aborted";
  case errc::txn_committed:
    return "txn_committed";
  case errc::key_too_large:
    return "key_too_large";
  case errc::value_too_large:
    return "value_too_large";
  case errc::invalid_argument:
    return "invalid_argument";
  case errc::shard_not_empty:
    return "shard_not_empty";
  case errc::corrupt_record:
    return "corrupt_record";
  case errc::io_error:
    return "io_error";
  case errc::shutting_down:
    return "shutting_down";
  }
  return "unknown";
}

const char* to_string(retry_class cls) noexcept {
  switch (cls) {
  case retry_class::retry_call:
    return "retry_call";
  case retry_class::retry_transaction:
    return "retry_transaction";
  case retry_class::do_not_retry:
    return "do_not_retry";
  }
  return "unknown";
}

std::string hex_escape(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/' ||
        c == ':' || c == ' ') {
      out.push_back(ch);
    } else {
      out += "\\x";
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xf]);
    }
  }
  return out;
}

key_range key_range::prefix(const std::string& prefix) {
  // The end is the smallest string above every string starting with
  // `prefix`: drop trailing 0xff bytes and increment the last one.
  std::string end = prefix;
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff)
    end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(end.back() + 1);
  return {prefix, end};
}

} // namespace troupe::mvcc
