#include "troupe/config/load.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "table_reader.hpp"

namespace troupe::config {

namespace {

using detail::fail_at_region;
using detail::table_reader;

constexpr std::int64_t max_shards = 65536;
constexpr std::int64_t max_virtual_nodes = 4096;
constexpr std::int64_t max_weight = 10000;

bool is_blank(std::string_view text) {
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

/// Throws at the line and column of the first byte that is not valid UTF-8
/// (toml++ notices too, but one character late and without the byte).
void check_utf8(std::string_view text, const std::string& file) {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = c >= 0xC2; // overlong
    if (ok && len == 3) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
    }
    if (ok && len == 4) {
      auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (!ok) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      throw config_error(file, line, column,
                         std::string{"invalid UTF-8: byte "} + hex +
                           " does not start a valid sequence; config files "
                           "must be UTF-8");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += len;
  }
}

bool valid_node_name(const std::string& name) {
  if (name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' &&
        c != '.')
      return false;
  return true;
}

void read_cluster(table_reader& top, cluster_config& cfg,
                  const std::string& file) {
  auto* table = top.get_table("cluster");
  if (table == nullptr) return;
  table_reader r{*table,
                 "[cluster]",
                 file,
                 {"name", "shards", "virtual_nodes", "scheduler_threads"}};
  cfg.name = r.get_string("name", cfg.name);
  cfg.shards =
    static_cast<std::uint32_t>(r.get_int("shards", cfg.shards, 1, max_shards));
  cfg.virtual_nodes = static_cast<std::uint32_t>(
    r.get_int("virtual_nodes", cfg.virtual_nodes, 1, max_virtual_nodes));
  cfg.scheduler_threads = static_cast<std::uint32_t>(
    r.get_int("scheduler_threads", cfg.scheduler_threads, 0, 256));
}

node_config read_node(const toml::table& table, std::size_t index,
                      const std::string& file) {
  table_reader r{table,
                 "nodes[" + std::to_string(index) + "]",
                 file,
                 {"name", "host", "port", "data_dir", "weight"}};
  node_config n;
  n.name = r.require_string("name");
  if (!valid_node_name(n.name))
    r.fail_at("name", "node name '" + n.name +
                        "' may only hold letters, digits, '-', '_' and '.' "
                        "(at most 64 characters)");
  n.host = r.get_string("host", n.host);
  n.port = static_cast<std::uint16_t>(r.require_int("port", 1, 65535));
  n.data_dir = r.get_string("data_dir", "data/" + n.name);
  n.weight =
    static_cast<std::uint32_t>(r.get_int("weight", n.weight, 1, max_weight));
  return n;
}

void read_nodes(table_reader& top, const toml::table& root, cluster_config& cfg,
                const std::string& file) {
  auto* array = top.get_array("nodes");
  if (array == nullptr || array->empty()) {
    const toml::node& at = array != nullptr
                             ? static_cast<const toml::node&>(*array)
                             : static_cast<const toml::node&>(root);
    fail_at_region(file, at.source(),
                   "the cluster has no nodes; add at least one [[nodes]] "
                   "table with name and port");
  }
  std::map<std::string, std::size_t> names;
  std::map<std::string, std::size_t> addresses;
  std::map<std::string, std::size_t> dirs;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    auto* table = element.as_table();
    if (table == nullptr)
      fail_at_region(file, element.source(),
                     "nodes[" + std::to_string(i) + "] must be a table, got " +
                       detail::type_name(element));
    auto node = read_node(*table, i, file);
    auto where = "nodes[" + std::to_string(i) + "]";
    table_reader r{
      *table, where, file, {"name", "host", "port", "data_dir", "weight"}};
    if (auto [it, fresh] = names.emplace(node.name, i); !fresh)
      r.fail_at("name", "duplicate node name '" + node.name + "' (also nodes[" +
                          std::to_string(it->second) + "])");
    if (auto [it, fresh] = addresses.emplace(node.address(), i); !fresh)
      r.fail_at("port", "duplicate address " + node.address() +
                          " (also nodes[" + std::to_string(it->second) + "])");
    auto dir_key = node.host + "|" + node.data_dir;
    if (auto [it, fresh] = dirs.emplace(dir_key, i); !fresh)
      r.fail_at("data_dir", "duplicate data_dir '" + node.data_dir +
                              "' on host " + node.host + " (also nodes[" +
                              std::to_string(it->second) + "])");
    cfg.nodes.push_back(std::move(node));
  }
}

void read_durability(table_reader& top, cluster_config& cfg,
                     const std::string& file) {
  auto* table = top.get_table("durability");
  if (table == nullptr) return;
  table_reader r{*table,
                 "[durability]",
                 file,
                 {"sync", "group_commit_max_batch", "group_commit_max_bytes",
                  "timestamp_batch"}};
  auto& d = cfg.durability;
  d.sync = r.get_bool("sync", d.sync);
  d.group_commit_max_batch = static_cast<std::uint32_t>(
    r.get_int("group_commit_max_batch", d.group_commit_max_batch, 1, 65536));
  d.group_commit_max_bytes = static_cast<std::uint64_t>(
    r.get_int("group_commit_max_bytes",
              static_cast<std::int64_t>(d.group_commit_max_bytes), 4096,
              1LL << 30, " bytes"));
  d.timestamp_batch = static_cast<std::uint64_t>(
    r.get_int("timestamp_batch", static_cast<std::int64_t>(d.timestamp_batch),
              1, 1000000000));
}

void read_gc(table_reader& top, cluster_config& cfg, const std::string& file) {
  auto* table = top.get_table("gc");
  if (table == nullptr) return;
  table_reader r{*table, "[gc]", file, {"interval_ms", "lifetime_ms"}};
  auto& g = cfg.gc;
  g.interval = millis{r.get_int("interval_ms", g.interval.count(), 0,
                                table_reader::max_interval_ms, " ms")};
  g.lifetime = r.get_interval("lifetime_ms", g.lifetime);
}

void read_timeouts(table_reader& top, cluster_config& cfg,
                   const std::string& file) {
  auto* table = top.get_table("timeouts");
  if (table == nullptr) return;
  table_reader r{*table,
                 "[timeouts]",
                 file,
                 {"request_ms", "prepare_ms", "connect_ms",
                  "heartbeat_interval_ms", "heartbeat_timeout_ms",
                  "three_phase_ms", "lock_wait_ms"}};
  auto& t = cfg.timeouts;
  t.request = r.get_interval("request_ms", t.request);
  t.prepare = r.get_interval("prepare_ms", t.prepare);
  t.connect = r.get_interval("connect_ms", t.connect);
  t.heartbeat_interval =
    r.get_interval("heartbeat_interval_ms", t.heartbeat_interval);
  t.heartbeat_timeout =
    r.get_interval("heartbeat_timeout_ms", t.heartbeat_timeout);
  // Unset: at least twice the prepare timeout, so that older configs with
  // a long prepare_ms stay valid.
  t.three_phase =
    r.get_interval("three_phase_ms", std::max(t.three_phase, 2 * t.prepare));
  if (t.three_phase <= t.prepare)
    r.fail_at("three_phase_ms",
              "'three_phase_ms' in [timeouts] (" +
                std::to_string(t.three_phase.count()) +
                ") must be greater than 'prepare_ms' (" +
                std::to_string(t.prepare.count()) +
                "): a three-phase participant must wait out its coordinator");
  // Unset: at most half the request timeout, so that a reader that waited
  // in vain still has time to retry.
  t.lock_wait =
    r.get_interval("lock_wait_ms", std::min(t.lock_wait, t.request / 2));
  if (t.lock_wait >= t.request)
    r.fail_at("lock_wait_ms",
              "'lock_wait_ms' in [timeouts] (" +
                std::to_string(t.lock_wait.count()) +
                ") must be less than 'request_ms' (" +
                std::to_string(t.request.count()) +
                "): a read that waits on a lock must be answered before "
                "its request times out");
  if (t.heartbeat_timeout <= t.heartbeat_interval)
    r.fail_at("heartbeat_timeout_ms",
              "'heartbeat_timeout_ms' in [timeouts] (" +
                std::to_string(t.heartbeat_timeout.count()) +
                ") must be greater than 'heartbeat_interval_ms' (" +
                std::to_string(t.heartbeat_interval.count()) + ")");
}

void read_retry(table_reader& top, cluster_config& cfg,
                const std::string& file) {
  auto* table = top.get_table("retry");
  if (table == nullptr) return;
  table_reader r{
    *table,
    "[retry]",
    file,
    {"max_attempts", "initial_interval_ms", "multiplier", "max_interval_ms"}};
  auto& p = cfg.retry;
  p.max_attempts = static_cast<std::uint32_t>(
    r.get_int("max_attempts", p.max_attempts, 1, 1000));
  p.initial_interval =
    r.get_interval("initial_interval_ms", p.initial_interval);
  p.multiplier = r.get_number("multiplier", p.multiplier, 1.0, 100.0);
  p.max_interval = r.get_interval("max_interval_ms", p.max_interval);
  if (p.max_interval < p.initial_interval)
    r.fail_at("max_interval_ms",
              "'max_interval_ms' in [retry] (" +
                std::to_string(p.max_interval.count()) +
                ") must be at least 'initial_interval_ms' (" +
                std::to_string(p.initial_interval.count()) + ")");
}

void read_limits(table_reader& top, cluster_config& cfg,
                 const std::string& file) {
  auto* table = top.get_table("limits");
  if (table == nullptr) return;
  table_reader r{*table,
                 "[limits]",
                 file,
                 {"max_key_bytes", "max_value_bytes", "max_message_bytes"}};
  auto& l = cfg.limits;
  l.max_key_bytes = static_cast<std::uint32_t>(
    r.get_int("max_key_bytes", l.max_key_bytes, 1, 64 * 1024, " bytes"));
  l.max_value_bytes = static_cast<std::uint32_t>(
    r.get_int("max_value_bytes", l.max_value_bytes, 1, 64LL << 20, " bytes"));
  l.max_message_bytes = static_cast<std::uint32_t>(r.get_int(
    "max_message_bytes", l.max_message_bytes, 1024, 256LL << 20, " bytes"));
  // One write (or one read's answer) travels in one message with room to
  // spare: otherwise a value the limits allow could never be sent.
  auto one_row = l.one_row_message_bytes();
  if (l.max_message_bytes < one_row)
    r.fail_at(table->contains("max_message_bytes") ? "max_message_bytes"
              : table->contains("max_value_bytes") ? "max_value_bytes"
                                                   : "max_key_bytes",
              "'max_message_bytes' in [limits] (" +
                std::to_string(l.max_message_bytes) +
                ") must hold one key and one value at their limits plus " +
                std::to_string(limits_config::message_overhead_bytes) +
                " bytes of framing (" + std::to_string(one_row) + ")");
}

void read_log(table_reader& top, cluster_config& cfg, const std::string& file) {
  auto* table = top.get_table("log");
  if (table == nullptr) return;
  table_reader r{*table, "[log]", file, {"level"}};
  cfg.log.level = r.get_choice(
    "level", cfg.log.level, {"trace", "debug", "info", "warn", "error", "off"});
}

} // namespace

cluster_config parse(std::string_view text, std::string_view source_name) {
  std::string file{source_name};
  if (is_blank(text))
    throw config_error(file, 1, 1,
                       "the file is empty; a cluster config needs at least "
                       "one [[nodes]] table (see examples/cluster/)");
  check_utf8(text, file);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    fail_at_region(file, e.source(),
                   "invalid TOML: " + std::string{e.description()});
  }
  cluster_config cfg;
  cfg.source = file;
  table_reader top{root,
                   "the top level",
                   file,
                   {"cluster", "nodes", "durability", "gc", "timeouts", "retry",
                    "limits", "log"}};
  read_cluster(top, cfg, file);
  read_nodes(top, root, cfg, file);
  read_durability(top, cfg, file);
  read_gc(top, cfg, file);
  read_timeouts(top, cfg, file);
  read_retry(top, cfg, file);
  read_limits(top, cfg, file);
  read_log(top, cfg, file);
  return cfg;
}

cluster_config load_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw config_error(
      path, 0, 0, std::string{"cannot open the file: "} + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw config_error(path, 0, 0, "cannot read the file");
  return parse(buf.str(), path);
}

} // namespace troupe::config
