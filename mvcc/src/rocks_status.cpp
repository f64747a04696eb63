#include "rocks_status.hpp"

namespace troupe::mvcc {

error from_status(const rocksdb::Status& s, std::string_view what) {
  auto code = s.IsCorruption() ? errc::corrupt_record : errc::io_error;
  return error{code, std::string{what} + ": " + s.ToString(), {}, 0, 0};
}

error key_error(errc code, const std::string& key, std::string_view detail) {
  return error{code, "key '" + hex_escape(key) + "': " + std::string{detail},
               key, 0, 0};
}

} // namespace troupe::mvcc
