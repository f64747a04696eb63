#include "table_reader.hpp"

#include <cassert>
#include <cmath>
#include <sstream>

namespace troupe::config::detail {

namespace {

std::string format_number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

} // namespace

void fail_at_region(const std::string& file, const toml::source_region& region,
                    const std::string& reason) {
  auto line = static_cast<std::uint32_t>(region.begin.line);
  auto column = static_cast<std::uint32_t>(region.begin.column);
  if (line == 0) {
    line = 1;
    column = 1;
  }
  throw config_error(file, line, column, reason);
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
  case toml::node_type::table:
    return "table";
  case toml::node_type::array:
    return "array";
  case toml::node_type::string:
    return "string";
  case toml::node_type::integer:
    return "integer";
  case toml::node_type::floating_point:
    return "float";
  case toml::node_type::boolean:
    return "boolean";
  case toml::node_type::date:
    return "date";
  case toml::node_type::time:
    return "time";
  case toml::node_type::date_time:
    return "date-time";
  default:
    return "nothing";
  }
}

table_reader::table_reader(const toml::table& table, std::string where,
                           const std::string& file,
                           std::set<std::string> allowed)
  : table_(table), where_(std::move(where)), file_(file),
    allowed_(std::move(allowed)) {
  for (auto&& [key, node] : table_) {
    if (allowed_.count(std::string{key.str()}) != 0) continue;
    std::string list;
    for (const auto& k : allowed_)
      list += (list.empty() ? "" : ", ") + k;
    fail_at_region(file_, key.source(),
                   "unknown key '" + std::string{key.str()} + "' in " + where_ +
                     "; allowed keys: " + list);
  }
}

const toml::node* table_reader::lookup(std::string_view key) {
  assert(allowed_.count(std::string{key}) != 0);
  return table_.get(key);
}

std::string table_reader::name_of(std::string_view key) const {
  return "'" + std::string{key} + "' in " + where_;
}

void table_reader::fail(const toml::node& node,
                        const std::string& reason) const {
  fail_at_region(file_, node.source(), reason);
}

void table_reader::fail_at(std::string_view key,
                           const std::string& reason) const {
  if (auto* node = table_.get(key)) fail(*node, reason);
  fail(table_, reason);
}

std::string table_reader::get_string(std::string_view key, std::string fallback,
                                     bool non_empty) {
  auto* node = lookup(key);
  if (node == nullptr) return fallback;
  auto* value = node->as_string();
  if (value == nullptr)
    fail(*node, name_of(key) + " must be a string, got " + type_name(*node));
  if (non_empty && value->get().empty())
    fail(*node, name_of(key) + " must not be empty");
  return value->get();
}

std::string table_reader::require_string(std::string_view key) {
  if (table_.get(key) == nullptr)
    fail(table_, "missing required key " + name_of(key));
  return get_string(key, {});
}

std::int64_t table_reader::get_int(std::string_view key, std::int64_t fallback,
                                   std::int64_t min, std::int64_t max,
                                   std::string_view unit) {
  auto* node = lookup(key);
  if (node == nullptr) return fallback;
  auto* value = node->as_integer();
  if (value == nullptr)
    fail(*node, name_of(key) + " must be an integer, got " + type_name(*node));
  auto v = value->get();
  if (v < min || v > max) {
    auto u = std::string{unit};
    fail(*node, name_of(key) + " must be between " + std::to_string(min) + u +
                  " and " + std::to_string(max) + u + ", got " +
                  std::to_string(v) + u);
  }
  return v;
}

std::int64_t table_reader::require_int(std::string_view key, std::int64_t min,
                                       std::int64_t max) {
  if (table_.get(key) == nullptr)
    fail(table_, "missing required key " + name_of(key));
  return get_int(key, 0, min, max);
}

double table_reader::get_number(std::string_view key, double fallback,
                                double min, double max) {
  auto* node = lookup(key);
  if (node == nullptr) return fallback;
  double v = 0;
  if (auto* i = node->as_integer())
    v = static_cast<double>(i->get());
  else if (auto* f = node->as_floating_point())
    v = f->get();
  else
    fail(*node, name_of(key) + " must be a number, got " + type_name(*node));
  if (!std::isfinite(v) || v < min || v > max)
    fail(*node, name_of(key) + " must be between " + format_number(min) +
                  " and " + format_number(max) + ", got " + format_number(v));
  return v;
}

bool table_reader::get_bool(std::string_view key, bool fallback) {
  auto* node = lookup(key);
  if (node == nullptr) return fallback;
  auto* value = node->as_boolean();
  if (value == nullptr)
    fail(*node,
         name_of(key) + " must be true or false, got " + type_name(*node));
  return value->get();
}

millis table_reader::get_interval(std::string_view key, millis fallback) {
  auto* node = lookup(key);
  if (node == nullptr) return fallback;
  auto* value = node->as_integer();
  if (value == nullptr)
    fail(*node, name_of(key) +
                  " must be an integer number of milliseconds, got " +
                  type_name(*node));
  auto v = value->get();
  if (v <= 0)
    fail(*node, name_of(key) +
                  " must be a positive interval in milliseconds, "
                  "got " +
                  std::to_string(v));
  if (v > max_interval_ms)
    fail(*node, name_of(key) + " must be at most " +
                  std::to_string(max_interval_ms) + " ms (one day), got " +
                  std::to_string(v));
  return millis{v};
}

std::string table_reader::get_choice(std::string_view key, std::string fallback,
                                     const std::set<std::string>& allowed) {
  auto value = get_string(key, std::move(fallback));
  if (allowed.count(value) == 0) {
    std::string list;
    for (const auto& a : allowed)
      list += (list.empty() ? "" : ", ") + a;
    fail_at(key,
            name_of(key) + " must be one of " + list + ", got '" + value + "'");
  }
  return value;
}

const toml::table* table_reader::get_table(std::string_view key) {
  auto* node = lookup(key);
  if (node == nullptr) return nullptr;
  auto* value = node->as_table();
  if (value == nullptr)
    fail(*node, name_of(key) + " must be a table, got " + type_name(*node));
  return value;
}

const toml::array* table_reader::get_array(std::string_view key) {
  auto* node = lookup(key);
  if (node == nullptr) return nullptr;
  auto* value = node->as_array();
  if (value == nullptr)
    fail(*node, name_of(key) + " must be an array of tables ([[" +
                  std::string{key} + "]]), got " + type_name(*node));
  return value;
}

} // namespace troupe::config::detail
