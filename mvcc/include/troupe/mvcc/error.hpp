#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace troupe::mvcc {

/// What a caller should do after an error.
enum class retry_class : std::uint8_t {
  retry_call,        ///< transient: the same call may succeed later
  retry_transaction, ///< the transaction lost: restart it at a new timestamp
  do_not_retry,      ///< retrying cannot help (bad input, broken store)
};

/// Every error the mvcc module returns. Each code has one retry class
/// (`retry_class_of`); the comment names it.
enum class errc : std::uint8_t {
  write_conflict = 1, ///< a newer committed version exists (retry_transaction)
  locked,             ///< another transaction holds an intent (retry_call)
  timestamp_too_old,  ///< below the GC safe point, or a one-phase commit ts
                      ///< not above a served read (retry_transaction)
  busy,               ///< the transaction is being resolved by another call
                      ///< (retry_call)
  txn_not_prepared,   ///< commit of a transaction with no prepare record
                      ///< (do_not_retry)
  txn_aborted,        ///< the transaction was aborted (retry_transaction)
  txn_committed,      ///< abort of an already committed transaction
                      ///< (do_not_retry)
  key_too_large,      ///< key longer than options::max_key_bytes
                      ///< (do_not_retry)
  value_too_large,    ///< value longer than options::max_value_bytes
                      ///< (do_not_retry)
  invalid_argument,   ///< a malformed request (do_not_retry)
  shard_not_empty,    ///< ingest into a shard that holds data (do_not_retry)
  corrupt_record,     ///< a stored record cannot be decoded (do_not_retry)
  io_error,           ///< RocksDB or the file system failed (retry_call)
  shutting_down,      ///< the store is closing (do_not_retry)
};

/// Returns the retry class of `code`.
[[nodiscard]] retry_class retry_class_of(errc code) noexcept;

/// Returns the name of `code`, e.g. "write_conflict".
[[nodiscard]] const char* to_string(errc code) noexcept;

/// Returns the name of `cls`, e.g. "retry_transaction".
[[nodiscard]] const char* to_string(retry_class cls) noexcept;

/// An error with the facts a caller needs to act on it.
struct error {
  errc code;
  std::string message; ///< human readable; names the key hex-escaped
  std::string key;     ///< user key involved, if any (raw bytes)
  /// write_conflict: the newer commit timestamp; locked: the holder's start
  /// timestamp; timestamp_too_old: the lowest acceptable one.
  std::uint64_t ts = 0;
  /// locked: the transaction holding the intent; write_conflict: the one
  /// that wrote the newer version.
  std::uint64_t txn = 0;

  [[nodiscard]] retry_class retry() const noexcept {
    return retry_class_of(code);
  }
};

/// Returns `bytes` printable: ASCII letters, digits, space and `_-./:` as is,
/// everything else as \xHH.
[[nodiscard]] std::string hex_escape(const std::string& bytes);

/// A value of type T or an error. Like std::expected (C++23).
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : v_(std::move(value)) {}
  result(troupe::mvcc::error err) : v_(std::move(err)) {}

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// Precondition: has_value().
  [[nodiscard]] T& value() & { return std::get<0>(v_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// Precondition: !has_value().
  [[nodiscard]] const troupe::mvcc::error& error() const& {
    return std::get<1>(v_);
  }

 private:
  std::variant<T, troupe::mvcc::error> v_;
};

/// Success or an error.
template <>
class [[nodiscard]] result<void> {
 public:
  result() = default;
  result(troupe::mvcc::error err) : err_(std::move(err)) {}

  [[nodiscard]] bool has_value() const noexcept { return !err_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }

  /// Precondition: !has_value().
  [[nodiscard]] const troupe::mvcc::error& error() const& { return *err_; }

 private:
  std::optional<troupe::mvcc::error> err_;
};

using status = result<void>;

} // namespace troupe::mvcc
