#include "troupe/actors/membership.hpp"

namespace troupe::actors {

namespace {

std::uint64_t to_ms(membership::clock::duration d) {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

} // namespace

membership::membership(const config::cluster_config& cfg, std::string self,
                       std::uint64_t incarnation, clock::time_point started)
  : cluster_(cfg.name), self_(std::move(self)), incarnation_(incarnation),
    started_(started), timeout_(cfg.timeouts.heartbeat_timeout) {
  for (const auto& n : cfg.nodes) {
    order_.push_back(n.name);
    peers_[n.name].address = n.address();
  }
}

bool membership::accepts(const heartbeat& hb) const {
  return hb.cluster == cluster_ && hb.node != self_ &&
         peers_.count(hb.node) != 0;
}

std::optional<std::string> membership::on_heard(const heartbeat& hb,
                                                clock::time_point now) {
  if (!accepts(hb)) return std::nullopt;
  auto& p = peers_[hb.node];
  bool was_up = p.up;
  bool restarted = p.incarnation != 0 && p.incarnation != hb.incarnation;
  p.up = true;
  p.incarnation = hb.incarnation;
  p.last_heard = now;
  p.uptime_ms_when_heard = hb.uptime_ms;
  if (!was_up)
    return "peer " + hb.node + " (" + p.address + ") is UP" +
           (restarted ? " after a restart" : "");
  if (restarted) return "peer " + hb.node + " (" + p.address + ") restarted";
  return std::nullopt;
}

std::optional<std::string> membership::on_lost(const std::string& name,
                                               const std::string& reason) {
  auto i = peers_.find(name);
  if (i == peers_.end() || name == self_ || !i->second.up) return std::nullopt;
  i->second.up = false;
  return "peer " + name + " (" + i->second.address + ") is DOWN: " + reason;
}

std::vector<std::string> membership::on_tick(clock::time_point now) {
  std::vector<std::string> changes;
  for (const auto& name : order_) {
    auto& p = peers_[name];
    if (name == self_ || !p.up || now - p.last_heard <= timeout_) continue;
    p.up = false;
    changes.push_back("peer " + name + " (" + p.address +
                      ") is DOWN: no heartbeat for " +
                      std::to_string(to_ms(now - p.last_heard)) + " ms");
  }
  return changes;
}

heartbeat membership::self_heartbeat(clock::time_point now) const {
  return heartbeat{cluster_, self_, incarnation_, to_ms(now - started_)};
}

bool membership::is_up(const std::string& name) const {
  if (name == self_) return true;
  auto i = peers_.find(name);
  return i != peers_.end() && i->second.up;
}

cluster_status membership::status(
  clock::time_point now,
  const std::map<std::string, std::vector<std::uint32_t>>& shards_of) const {
  cluster_status out;
  out.cluster = cluster_;
  out.observer = self_;
  for (const auto& name : order_) {
    const auto& p = peers_.at(name);
    node_status n;
    n.name = name;
    n.address = p.address;
    if (auto i = shards_of.find(name); i != shards_of.end())
      n.shards = i->second;
    if (name == self_) {
      n.state = "up";
      n.uptime_s = static_cast<double>(to_ms(now - started_)) / 1000.0;
      n.incarnation = incarnation_;
    } else if (p.up) {
      n.state = "up";
      auto uptime_ms = p.uptime_ms_when_heard + to_ms(now - p.last_heard);
      n.uptime_s = static_cast<double>(uptime_ms) / 1000.0;
      n.incarnation = p.incarnation;
    } else {
      n.state = "down";
    }
    out.nodes.push_back(std::move(n));
  }
  return out;
}

} // namespace troupe::actors
