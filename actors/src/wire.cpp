#include "troupe/actors/wire.hpp"

#include <atomic>

#include "wire.pb.h"

namespace troupe::actors {

namespace {

std::atomic<std::uint64_t> dropped{0};

template <class Proto>
bool parse(const std::string& bytes, Proto& pb) {
  return pb.ParseFromString(bytes);
}

} // namespace

void count_dropped_message() noexcept {
  dropped.fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t dropped_messages() noexcept {
  return dropped.load(std::memory_order_relaxed);
}

std::string encode(const heartbeat& x) {
  wire::Heartbeat pb;
  pb.set_cluster(x.cluster);
  pb.set_node(x.node);
  pb.set_incarnation(x.incarnation);
  pb.set_uptime_ms(x.uptime_ms);
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, heartbeat& out) {
  wire::Heartbeat pb;
  if (!parse(bytes, pb) || pb.node().empty()) return false;
  out.cluster = pb.cluster();
  out.node = pb.node();
  out.incarnation = pb.incarnation();
  out.uptime_ms = pb.uptime_ms();
  return true;
}

std::string encode(const cluster_status& x) {
  wire::ClusterStatus pb;
  pb.set_cluster(x.cluster);
  pb.set_observer(x.observer);
  pb.set_dropped_messages(x.dropped_messages);
  for (const auto& n : x.nodes) {
    auto* p = pb.add_nodes();
    p->set_name(n.name);
    p->set_state(n.state);
    p->set_address(n.address);
    for (auto s : n.shards)
      p->add_shards(s);
    p->set_uptime_s(n.uptime_s);
    p->set_incarnation(n.incarnation);
    p->set_in_doubt_known(n.in_doubt_known);
    for (const auto& d : n.in_doubt) {
      auto* e = p->add_in_doubt();
      e->set_txn(d.txn);
      e->set_shard(d.shard);
      e->set_coordinator(d.coordinator);
      e->set_age_s(d.age_s);
    }
  }
  return pb.SerializeAsString();
}

bool decode(const std::string& bytes, cluster_status& out) {
  wire::ClusterStatus pb;
  if (!parse(bytes, pb)) return false;
  out.cluster = pb.cluster();
  out.observer = pb.observer();
  out.dropped_messages = pb.dropped_messages();
  out.nodes.clear();
  for (const auto& p : pb.nodes()) {
    if (p.state() != "up" && p.state() != "down") return false;
    node_status n;
    n.name = p.name();
    n.state = p.state();
    n.address = p.address();
    n.shards.assign(p.shards().begin(), p.shards().end());
    n.uptime_s = p.uptime_s();
    n.incarnation = p.incarnation();
    n.in_doubt_known = p.in_doubt_known();
    for (const auto& e : p.in_doubt())
      n.in_doubt.push_back({e.txn(), e.shard(), e.coordinator(), e.age_s()});
    out.nodes.push_back(std::move(n));
  }
  return true;
}

} // namespace troupe::actors
