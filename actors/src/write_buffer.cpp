#include "troupe/actors/write_buffer.hpp"

#include "troupe/actors/errc.hpp"

namespace troupe::actors {

caf::error check_write(const std::string& key,
                       const std::optional<std::string>& value,
                       std::uint32_t max_key, std::uint32_t max_value) {
  if (key.size() > max_key)
    return make_error(errc::too_large, "key of " + std::to_string(key.size()) +
                                         " bytes, limit " +
                                         std::to_string(max_key));
  if (value && value->size() > max_value)
    return make_error(errc::too_large,
                      "value of " + std::to_string(value->size()) +
                        " bytes, limit " + std::to_string(max_value));
  return {};
}

scan_reply overlay_writes(std::vector<key_value> rows,
                          const write_buffer& writes, const std::string& prefix,
                          std::uint32_t limit, bool truncated) {
  std::map<std::string, std::string> merged;
  for (auto& kv : rows)
    merged[std::move(kv.key)] = std::move(kv.value);
  for (auto i = writes.lower_bound(prefix);
       i != writes.end() && i->first.compare(0, prefix.size(), prefix) == 0;
       ++i) {
    if (i->second)
      merged[i->first] = *i->second;
    else
      merged.erase(i->first);
  }
  scan_reply out;
  out.truncated = truncated;
  for (auto& [k, v] : merged) {
    if (limit != 0 && out.rows.size() == limit) {
      out.truncated = true;
      break;
    }
    out.rows.push_back({k, std::move(v)});
  }
  return out;
}

} // namespace troupe::actors
