#include "troupe/actors/write_buffer.hpp"

#include <algorithm>

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
                          const scan_window& window, std::uint32_t limit) {
  // One sort and one merge pass: a scan of every account is tens of
  // thousands of rows, and a map of them cost a node allocation and a copy
  // per row on the coordinator's (single) scheduler thread.
  // The coordinator's pages and the client's run of pages come sorted.
  auto by_key = [](const key_value& a, const key_value& b) {
    return a.key < b.key;
  };
  if (!std::is_sorted(rows.begin(), rows.end(), by_key))
    std::stable_sort(rows.begin(), rows.end(), by_key);
  // Rows past the window (another shard's page went further) come again
  // with the next page.
  if (window.upto)
    rows.erase(std::upper_bound(rows.begin(), rows.end(), *window.upto,
                                [](const std::string& k, const key_value& r) {
                                  return k < r.key;
                                }),
               rows.end());
  auto w = window.after.empty() || window.after < prefix
             ? writes.lower_bound(prefix)
             : writes.upper_bound(window.after);
  auto write_left = [&] {
    return w != writes.end() &&
           w->first.compare(0, prefix.size(), prefix) == 0 &&
           (!window.upto || w->first <= *window.upto);
  };
  scan_reply out;
  bool cut = false;
  // Adds a row, or notes the cut when the limit is reached.
  auto emit = [&](std::string key, std::string value) {
    if (limit != 0 && out.rows.size() == limit) {
      cut = true;
      return false;
    }
    out.rows.push_back({std::move(key), std::move(value)});
    return true;
  };
  std::size_t i = 0;
  while (i < rows.size() || write_left()) {
    // The same key twice: the later row wins, as in the storage order.
    while (i + 1 < rows.size() && rows[i + 1].key == rows[i].key)
      ++i;
    bool from_write = !(i < rows.size());
    if (!from_write && write_left()) {
      auto c = w->first.compare(rows[i].key);
      if (c == 0) ++i; // own write replaces (or erases) the stored row
      from_write = c <= 0;
    }
    if (from_write) {
      if (w->second && !emit(w->first, *w->second)) break;
      ++w;
    } else {
      if (!emit(std::move(rows[i].key), std::move(rows[i].value))) break;
      ++i;
    }
  }
  if (cut) {
    out.truncated = true;
    out.resume = out.rows.back().key;
  } else if (window.upto) {
    out.truncated = true;
    out.resume = *window.upto;
  }
  return out;
}

} // namespace troupe::actors
