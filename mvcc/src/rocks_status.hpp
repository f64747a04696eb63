#pragma once

#include <string_view>

#include <rocksdb/status.h>

#include "troupe/mvcc/error.hpp"

namespace troupe::mvcc {

/// Turns a failed RocksDB status into an error: the one place where that
/// happens. Corruption becomes corrupt_record, everything else io_error;
/// `what` says what was being done (e.g. "read version of key X").
/// Precondition: !s.ok().
[[nodiscard]] error from_status(const rocksdb::Status& s,
                                std::string_view what);

/// Returns an error with `code` and message "`what`: `detail`" naming the
/// hex-escaped `key`, and `key` set.
[[nodiscard]] error key_error(errc code, const std::string& key,
                              std::string_view detail);

} // namespace troupe::mvcc
