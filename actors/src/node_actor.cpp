#include "troupe/actors/node.hpp"

#include <algorithm>
#include <random>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>
#include <spdlog/spdlog.h>

#include "troupe/actors/directory.hpp"
#include "troupe/actors/errc.hpp"
#include "troupe/actors/membership.hpp"
#include "troupe/actors/participant.hpp"

namespace troupe::actors {

namespace {

using tick_atom = caf::atom_constant<caf::atom("tr_tick")>;
using clock = membership::clock;

/// A connection to one peer's node actor, or the schedule to get one.
struct peer_link {
  caf::actor handle;
  bool connecting = false;
  clock::time_point next_attempt{};
  clock::duration backoff{};
};

/// A relay to a participant of another node (spawn_participant_relay).
struct relay_entry {
  caf::actor relay;
  std::string owner; ///< the node of the participant
};

using dir_key = std::pair<std::string, std::string>; ///< kind, id

struct node_state {
  node_setup setup;
  /// Relays to the shards of other nodes, by (kind, id).
  std::map<dir_key, relay_entry> relays;
  /// Resolves of remote shards waiting for the owner's answer.
  std::map<dir_key, std::vector<caf::typed_response_promise<caf::actor>>>
    resolving;
  std::unique_ptr<membership> members;
  std::unique_ptr<directory> dir;
  std::map<std::string, std::vector<std::uint32_t>> shards;
  std::map<std::string, peer_link> links;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "troupe.node";
};

using node_actor = caf::stateful_actor<node_state>;

void log_change(node_actor* self, const std::optional<std::string>& line) {
  if (line) self->state.log->info("[{}] {}", self->state.setup.name, *line);
}

void send_heartbeat(node_actor* self, const std::string& peer) {
  auto& st = self->state;
  auto hb = st.members->self_heartbeat(self->clock().now());
  self
    ->request(st.links[peer].handle,
              st.setup.cluster.timeouts.heartbeat_timeout, std::move(hb))
    .then(
      [self](heartbeat& reply) {
        if (!self->state.members->accepts(reply)) {
          count_dropped_message();
          return;
        }
        log_change(self,
                   self->state.members->on_heard(reply, self->clock().now()));
      },
      [](caf::error&) {
        // A missed reply is not an event by itself: on_tick notices the
        // silence once it exceeds the heartbeat timeout.
      });
}

void connect_failed(node_actor* self, const std::string& peer) {
  auto& link = self->state.links[peer];
  const auto& t = self->state.setup.cluster.timeouts;
  link.connecting = false;
  if (link.handle) return; // adopted from the peer's heartbeat meanwhile
  link.next_attempt = self->clock().now() + link.backoff;
  clock::duration cap = t.heartbeat_timeout;
  link.backoff = std::min<clock::duration>(link.backoff * 2, cap);
}

void try_connect(node_actor* self, const std::string& peer) {
  auto& st = self->state;
  const auto* n = st.setup.cluster.find_node(peer);
  st.links[peer].connecting = true;
  auto mm = self->system().middleman().actor_handle();
  self
    ->request(mm, st.setup.cluster.timeouts.connect, caf::connect_atom::value,
              n->host, n->port)
    .then(
      [self, peer](const caf::node_id&, caf::strong_actor_ptr& ptr,
                   const std::set<std::string>&) {
        if (!ptr) {
          connect_failed(self, peer);
          return;
        }
        auto& link = self->state.links[peer];
        link.connecting = false;
        if (link.handle) return; // adopted from the peer's heartbeat meanwhile
        link.handle = caf::actor_cast<caf::actor>(ptr);
        link.backoff = self->state.setup.cluster.retry.initial_interval;
        self->monitor(link.handle);
        send_heartbeat(self, peer);
      },
      [self, peer](caf::error&) { connect_failed(self, peer); });
}

/// A peer's heartbeat can arrive before our own connection to it exists
/// (both sides dial at once). Its sender is the peer's node actor: use and
/// monitor it, so a lost connection is noticed at once instead of after the
/// heartbeat timeout.
void adopt_sender(node_actor* self, const std::string& peer) {
  auto& link = self->state.links[peer];
  if (link.handle) return;
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (!sender) return;
  link.handle = sender;
  link.backoff = self->state.setup.cluster.retry.initial_interval;
  self->monitor(sender);
}

void on_tick(node_actor* self) {
  auto& st = self->state;
  auto now = self->clock().now();
  for (const auto& line : st.members->on_tick(now))
    log_change(self, line);
  for (auto& [peer, link] : st.links) {
    if (link.handle)
      send_heartbeat(self, peer);
    else if (!link.connecting && now >= link.next_attempt)
      try_connect(self, peer);
  }
  self->delayed_send(self, st.setup.cluster.timeouts.heartbeat_interval,
                     tick_atom::value);
}

void on_down(node_actor* self, const caf::down_msg& msg) {
  auto& st = self->state;
  st.dir->remove_all(msg.source);
  for (auto i = st.relays.begin(); i != st.relays.end(); ++i)
    if (i->second.relay.address() == msg.source) {
      st.relays.erase(i);
      return;
    }
  for (auto& [peer, link] : st.links) {
    if (!link.handle || link.handle.address() != msg.source) continue;
    log_change(self, st.members->on_lost(peer, "connection lost (" +
                                                 to_string(msg.reason) + ")"));
    link.handle = nullptr;
    link.backoff = st.setup.cluster.retry.initial_interval;
    link.next_attempt = self->clock().now();
    return;
  }
}

caf::result<caf::actor> resolve_here(node_actor* self, const std::string& kind,
                                     const std::string& id) {
  if (auto handle = self->state.dir->find(kind, id)) return *handle;
  return make_error(errc::not_found, "no " + kind + " '" + id +
                                       "' registered on node " +
                                       self->state.setup.name);
}

/// Answers every resolve waiting for `key` with `x` (a handle or an error).
template <class T>
void answer_waiting(node_actor* self, const dir_key& key, const T& x) {
  auto i = self->state.resolving.find(key);
  if (i == self->state.resolving.end()) return;
  auto waiting = std::move(i->second);
  self->state.resolving.erase(i);
  for (auto& rp : waiting)
    rp.deliver(x);
}

/// Resolves a shard of node `owner` to its relay here, made on first use
/// from the owner's answer (spawn_participant_relay says why).
caf::result<caf::actor> resolve_relay(node_actor* self, const caf::actor& peer,
                                      const std::string& owner, dir_key key) {
  auto& st = self->state;
  if (auto i = st.relays.find(key); i != st.relays.end()) {
    if (i->second.owner == owner) return i->second.relay;
    // The shard moved: the old relay ends with the old participant.
    st.relays.erase(i);
  }
  auto rp = self->make_response_promise<caf::actor>();
  auto& waiting = st.resolving[key];
  waiting.push_back(rp);
  if (waiting.size() > 1) return rp;
  self
    ->request(peer, st.setup.cluster.timeouts.request,
              resolve_local_atom::value, key.first, key.second)
    .then(
      [self, owner, key](caf::actor& found) {
        auto relay = caf::actor_cast<caf::actor>(spawn_participant_relay(
          self->system(), caf::actor_cast<participant_actor>(found),
          caf::actor{self}));
        self->monitor(relay);
        self->state.relays[key] = relay_entry{relay, owner};
        answer_waiting(self, key, relay);
      },
      [self, key](caf::error& err) { answer_waiting(self, key, err); });
  return rp;
}

/// Answers locally when this node owns (kind, id). A shard of another node
/// resolves to its relay here; anything else is forwarded to the owner's
/// node actor, whose answer goes straight to the requester.
caf::result<caf::actor> resolve(node_actor* self, const std::string& kind,
                                const std::string& id) {
  auto& st = self->state;
  const auto& owner = st.dir->owner_of(kind, id);
  if (owner == st.setup.name) return resolve_here(self, kind, id);
  auto& link = st.links[owner];
  if (!link.handle || !st.members->is_up(owner))
    return make_error(errc::unavailable, "node " + owner + ", which owns " +
                                           kind + " '" + id + "', is down");
  if (kind == "shard")
    return resolve_relay(self, link.handle, owner, {kind, id});
  self->delegate(link.handle, resolve_local_atom::value, kind, id);
  return caf::delegated<caf::actor>{};
}

caf::behavior node_impl(node_actor* self, node_setup setup) {
  auto& st = self->state;
  st.log = setup.log ? setup.log : spdlog::default_logger();
  st.setup = std::move(setup);
  auto placement = placement_of(st.setup.cluster);
  if (!placement) {
    // The config loader rejects every config that fails here.
    self->quit(make_error(errc::invalid_argument, placement.error().message));
    return {};
  }
  for (const auto& n : st.setup.cluster.nodes)
    st.shards[n.name] = placement->shards_of(n.name);
  st.dir = std::make_unique<directory>(std::move(*placement), st.setup.name);
  st.members = std::make_unique<membership>(
    st.setup.cluster, st.setup.name, st.setup.incarnation, self->clock().now());
  for (const auto& n : st.setup.cluster.nodes)
    if (n.name != st.setup.name)
      st.links[n.name].backoff = st.setup.cluster.retry.initial_interval;
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  self->send(self, tick_atom::value);
  return {
    [self](heartbeat& hb) -> caf::result<heartbeat> {
      auto& members = *self->state.members;
      if (!members.accepts(hb)) {
        count_dropped_message();
        return caf::make_error(caf::sec::invalid_argument,
                               "heartbeat from unknown node " + hb.node +
                                 " of cluster " + hb.cluster);
      }
      auto now = self->clock().now();
      adopt_sender(self, hb.node);
      log_change(self, members.on_heard(hb, now));
      return members.self_heartbeat(now);
    },
    [self](status_atom) -> cluster_status {
      auto st =
        self->state.members->status(self->clock().now(), self->state.shards);
      st.dropped_messages = dropped_messages();
      if (self->state.setup.in_doubt)
        for (auto& n : st.nodes)
          if (n.name == st.observer) {
            n.in_doubt = self->state.setup.in_doubt->list();
            n.in_doubt_known = true;
          }
      return st;
    },
    [self](tick_atom) { on_tick(self); },
    [self](register_atom, const std::string& kind, const std::string& id,
           caf::actor& handle) {
      self->monitor(handle);
      self->state.dir->add(kind, id, std::move(handle));
    },
    [self](resolve_atom, const std::string& kind, const std::string& id) {
      return resolve(self, kind, id);
    },
    [self](resolve_local_atom, const std::string& kind, const std::string& id) {
      return resolve_here(self, kind, id);
    },
  };
}

} // namespace

node_handle spawn_node(caf::actor_system& sys, node_setup setup) {
  if (setup.incarnation == 0) {
    std::random_device rd;
    std::mt19937_64 gen{
      (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
      static_cast<std::uint64_t>(clock::now().time_since_epoch().count())};
    setup.incarnation = gen() | 1;
  }
  return sys.spawn(node_impl, std::move(setup));
}

} // namespace troupe::actors
