#include "ring_report.hpp"

#include <fmt/format.h>

namespace troupe::app {

namespace {

using json = nlohmann::ordered_json;

json load_json(const ring::load_stats& s) {
  return json{{"min", s.min},
              {"mean", s.mean},
              {"max", s.max},
              {"max_over_mean", s.max_over_mean()}};
}

/// The figures of one scheme; the ring's sit at the top level, the
/// baseline's under "modulo".
void add_scheme(json& out, const ring::scheme_report& s) {
  out["load"] = load_json(s.load);
  out["load_after"] = load_json(s.load_after);
  out["moved_fraction"] = s.moved_fraction;
  out["shards_moved_fraction"] = s.shards_moved_fraction;
  out["moved_to_new_only"] = s.moved_to_new_only;
}

void print_row(const char* label, const std::string& ring,
               const std::string& modulo) {
  fmt::print("  {:<24} {:>12} {:>12}\n", label, ring, modulo);
}

void print_load(const char* when, const ring::load_stats& r,
                const ring::load_stats& m) {
  fmt::print("  keys per node {}\n", when);
  print_row("  min", std::to_string(r.min), std::to_string(m.min));
  print_row("  mean", fmt::format("{:.1f}", r.mean),
            fmt::format("{:.1f}", m.mean));
  print_row("  max", std::to_string(r.max), std::to_string(m.max));
  print_row("  max/mean", fmt::format("{:.3f}", r.max_over_mean()),
            fmt::format("{:.3f}", m.max_over_mean()));
}

std::string percent(double fraction) {
  return fmt::format("{:.2f}%", fraction * 100);
}

} // namespace

json to_json(const ring::simulate_report& report) {
  const auto& o = report.options;
  json out{{"nodes", o.nodes},
           {"vnodes", o.vnodes},
           {"keys", o.keys},
           {"shards", o.shards},
           {"add", o.add},
           {"remove", o.remove},
           {"nodes_after", report.nodes_after}};
  add_scheme(out, report.ring);
  json modulo = json::object();
  add_scheme(modulo, report.modulo);
  out["modulo"] = std::move(modulo);
  return out;
}

void print_text(const ring::simulate_report& report) {
  const auto& o = report.options;
  const auto& r = report.ring;
  const auto& m = report.modulo;
  fmt::print("{} -> {} node(s) (+{} -{}), {} vnodes per node, {} keys, {} "
             "shards\n",
             o.nodes, report.nodes_after, o.add, o.remove, o.vnodes, o.keys,
             o.shards);
  print_row("", "ring", "modulo");
  print_load("before", r.load, m.load);
  print_load("after", r.load_after, m.load_after);
  print_row("keys moved", percent(r.moved_fraction), percent(m.moved_fraction));
  print_row("shards moved", percent(r.shards_moved_fraction),
            percent(m.shards_moved_fraction));
  print_row("only to new/from removed", r.moved_to_new_only ? "yes" : "no",
            m.moved_to_new_only ? "yes" : "no");
}

} // namespace troupe::app
