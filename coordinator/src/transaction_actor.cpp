// The transaction actor: client requests, snapshot reads, timers.
#include "transaction_actor.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

#include "troupe/actors/errc.hpp"

namespace troupe::coordinator {

using namespace troupe::actors;

void after(txn_self self, caf::timespan delay, std::function<void()> f) {
  auto token = self->state.next_token++;
  self->state.timers.emplace(token, std::move(f));
  self->delayed_send(self, delay, txn_timer_atom::value, token);
}

void with_shard(txn_self self, shard_id shard,
                std::function<void(caf::expected<participant_actor>)> f) {
  auto& known = self->state.shards;
  if (auto i = known.find(shard); i != known.end()) return f(i->second);
  resolve_participant(self, self->state.cfg->resolver,
                      self->state.cfg->request_timeout, shard,
                      [=](caf::expected<participant_actor> p) {
                        if (p) self->state.shards[shard] = *p;
                        f(std::move(p));
                      });
}

namespace {

using read_done = std::function<void(caf::expected<read_reply>)>;

/// Reads `key` at the snapshot, retrying (bounded) while an undecided
/// intent blocks it; `done` runs once.
void read_key(txn_self self, shard_id shard, std::string key, read_done done,
              std::uint32_t attempt) {
  with_shard(self, shard, [=](caf::expected<participant_actor> p) {
    if (!p) return done(std::move(p.error()));
    read_request req{shard, key, self->state.txn->id().start_ts};
    self->request(*p, self->state.cfg->request_timeout, req)
      .then(
        [=](read_reply& r) {
          self->state.txn->note_read(key);
          done(std::move(r));
        },
        [=](caf::error& err) {
          if (is(err, errc::locked) &&
              attempt < self->state.cfg->retry.max_attempts) {
            auto delay = self->state.delays->delay(attempt);
            return after(self, delay, [=] {
              read_key(self, shard, key, done, attempt + 1);
            });
          }
          done(std::move(err));
        });
  });
}

/// Reads every key of `req` in parallel (own writes first); delivers the
/// values in key order, or the first error.
void read_many(txn_self self, const txn_get_many& req,
               caf::typed_response_promise<txn_values> rp) {
  struct gather {
    txn_values out;
    std::size_t left = 0;
    bool failed = false;
  };
  auto g = std::make_shared<gather>();
  g->out.values.resize(req.keys.size());
  g->left = req.keys.size();
  if (g->left == 0) {
    rp.deliver(std::move(g->out));
    return;
  }
  for (std::size_t i = 0; i < req.keys.size(); ++i) {
    auto on_value = [=](caf::expected<read_reply> r) mutable {
      if (g->failed) return;
      if (!r) {
        g->failed = true;
        rp.deliver(std::move(r.error()));
        return;
      }
      g->out.values[i] = std::move(*r);
      if (--g->left == 0) rp.deliver(std::move(g->out));
    };
    const auto& key = req.keys[i];
    if (auto own = self->state.txn->buffered(key))
      on_value(read_reply{*own});
    else
      read_key(self, self->state.cfg->shards(key), key, on_value, 1);
  }
}

/// The rows of one page of a scan over several shards, gathered as they
/// come. Each shard sends a page of its own; the merged page ends at the
/// frontier, the least key at which a shard's page stopped short: up to it
/// every shard's rows are in; past it, only some are (they come again with
/// the next page).
struct scan_gather {
  txn_scan req;
  caf::typed_response_promise<scan_reply> rp;
  std::vector<key_value> rows;
  std::optional<std::string> frontier;
  std::uint32_t shard_bytes = 0; ///< each shard's page budget
  std::uint32_t left = 0;        ///< shards not answered yet
  shard_id next = 0;             ///< the next shard to read
  shard_id end = 0;              ///< past the last shard to read
  bool failed = false;
};

void scan_shard(txn_self self, shard_id s, std::shared_ptr<scan_gather> g,
                std::uint32_t attempt);

/// Starts the scan of the next shard, if any is left.
void scan_next(txn_self self, const std::shared_ptr<scan_gather>& g) {
  if (g->failed || g->next >= g->end) return;
  scan_shard(self, g->next++, g, 1);
}

/// Scans one shard into `g`, retrying (bounded) while an undecided intent
/// blocks it, like read_key.
void scan_shard(txn_self self, shard_id s, std::shared_ptr<scan_gather> g,
                std::uint32_t attempt) {
  auto fail = [=](caf::error err) {
    if (g->failed) return;
    g->failed = true;
    g->rp.deliver(std::move(err));
  };
  with_shard(self, s, [=](caf::expected<participant_actor> p) {
    if (!p) return fail(std::move(p.error()));
    scan_request sr{s,
                    g->req.prefix,
                    self->state.txn->id().start_ts,
                    g->req.limit,
                    g->req.after,
                    g->shard_bytes};
    self->request(*p, self->state.cfg->request_timeout, sr)
      .then(
        [=](scan_reply& r) {
          for (auto& kv : r.rows) {
            self->state.txn->note_read(kv.key);
            g->rows.push_back(std::move(kv));
          }
          if (r.truncated && (!g->frontier || r.resume < *g->frontier))
            g->frontier = std::move(r.resume);
          if (g->failed) return;
          if (--g->left > 0) return scan_next(self, g);
          g->rp.deliver(self->state.txn->overlay(
            std::move(g->rows), g->req.prefix, {g->req.after, g->frontier},
            g->req.limit));
        },
        [=](caf::error& err) {
          if (is(err, errc::locked) && !g->failed &&
              attempt < self->state.cfg->retry.max_attempts)
            return after(self, self->state.delays->delay(attempt),
                         [=] { scan_shard(self, s, g, attempt + 1); });
          fail(std::move(err));
        });
  });
}

/// Scans every shard (or the one a hash-tagged prefix names), merges,
/// applies own writes.
void scan_all(txn_self self, txn_scan req,
              caf::typed_response_promise<scan_reply> rp) {
  auto count =
    self->state.cfg->shards.count == 0 ? 1u : self->state.cfg->shards.count;
  auto only = self->state.cfg->shards.of_prefix(req.prefix);
  auto g = std::make_shared<scan_gather>();
  g->req = std::move(req);
  g->rp = std::move(rp);
  g->next = only ? *only : 0;
  g->end = only ? *only + 1 : count;
  g->left = g->end - g->next;
  // The page: the node's size, or less when asked; shared by the shards
  // read (hash placement spreads a prefix's keys evenly over them).
  auto page = self->state.cfg->scan_page_bytes;
  if (g->req.max_bytes != 0 && g->req.max_bytes < page) page = g->req.max_bytes;
  g->shard_bytes = std::max<std::uint32_t>(page / g->left, 1);
  auto width = std::max<std::uint32_t>(self->state.cfg->scan_parallelism, 1);
  for (std::uint32_t i = 0; i < width; ++i)
    scan_next(self, g);
}

/// Re-arms the idle timer: a transaction without client calls for
/// `idle_timeout` aborts.
void touch(txn_self self) {
  auto token = self->state.next_token;
  self->state.idle_token = token;
  after(self, self->state.cfg->idle_timeout, [=] {
    if (self->state.idle_token == token &&
        self->state.txn->phase == txn_phase::active)
      abort_all(self, make_error(errc::aborted, "idle timeout"));
  });
}

caf::error not_active(txn_self self) {
  return make_error(errc::invalid_argument,
                    "transaction " + std::to_string(self->state.txn->id().txn) +
                      " is no longer active");
}

txn_impl_actor::behavior_type
txn_behavior(txn_self self, std::shared_ptr<const coordinator_config> cfg,
             txn_started started, txn_begin options) {
  auto& st = self->state;
  st.cfg = cfg;
  st.txn = std::make_unique<txn_state>(started, options.isolation, cfg->shards);
  st.three_phase = options.three_phase;
  st.log = std::make_unique<decision_log>(*cfg->db);
  st.delays = std::make_unique<backoff>(backoff_policy::from(cfg->retry),
                                        cfg->seed ^ started.txn);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto i = self->state.shard_of_addr.find(msg.source);
    if (i == self->state.shard_of_addr.end()) return;
    if (self->state.txn->phase == txn_phase::preparing &&
        self->state.txn->waiting_for(i->second))
      abort_all(self, make_error(errc::aborted, "participant of shard " +
                                                  std::to_string(i->second) +
                                                  " went down before voting"));
  });
  touch(self);
  return {
    [=](const txn_get& req) -> caf::result<read_reply> {
      auto& t = *self->state.txn;
      if (t.phase != txn_phase::active) return not_active(self);
      touch(self);
      if (auto own = t.buffered(req.key)) return read_reply{*own};
      auto rp = self->make_response_promise<read_reply>();
      read_key(
        self, self->state.cfg->shards(req.key), req.key,
        [rp](caf::expected<read_reply> r) mutable {
          if (r)
            rp.deliver(std::move(*r));
          else
            rp.deliver(std::move(r.error()));
        },
        1);
      return rp;
    },
    [=](const txn_get_many& req) -> caf::result<txn_values> {
      if (self->state.txn->phase != txn_phase::active) return not_active(self);
      touch(self);
      auto rp = self->make_response_promise<txn_values>();
      read_many(self, req, rp);
      return rp;
    },
    [=](const txn_scan& req) -> caf::result<scan_reply> {
      if (self->state.txn->phase != txn_phase::active) return not_active(self);
      touch(self);
      auto rp = self->make_response_promise<scan_reply>();
      scan_all(self, req, rp);
      return rp;
    },
    [=](const txn_put& req) -> caf::result<void> {
      touch(self);
      if (auto err = self->state.txn->buffer(req.key, req.value,
                                             self->state.cfg->max_key_bytes,
                                             self->state.cfg->max_value_bytes))
        return err;
      return caf::unit;
    },
    [=](const txn_erase& req) -> caf::result<void> {
      touch(self);
      if (auto err = self->state.txn->buffer(req.key, std::nullopt,
                                             self->state.cfg->max_key_bytes,
                                             self->state.cfg->max_value_bytes))
        return err;
      return caf::unit;
    },
    [=](const txn_commit& req) -> caf::result<txn_committed> {
      auto& t = *self->state.txn;
      if (t.phase != txn_phase::active) return not_active(self);
      for (const auto& w : req.writes)
        if (auto err = t.buffer(w.key, w.value, self->state.cfg->max_key_bytes,
                                self->state.cfg->max_value_bytes)) {
          // A write the client could not have sent alone: the transaction
          // cannot commit as asked, so it ends here.
          abort_all(self, err);
          return err;
        }
      self->state.commit_rp = self->make_response_promise<txn_committed>();
      self->state.commit_pending = true;
      start_commit(self);
      return self->state.commit_rp;
    },
    [=](const txn_abort&) -> caf::result<void> {
      auto phase = self->state.txn->phase;
      if (phase == txn_phase::aborted) return caf::unit;
      if (phase != txn_phase::active) return not_active(self);
      abort_all(self, make_error(errc::aborted, "aborted by the client"));
      return caf::unit;
    },
    [=](txn_timer_atom, std::uint64_t token) {
      auto i = self->state.timers.find(token);
      if (i == self->state.timers.end()) return;
      auto f = std::move(i->second);
      self->state.timers.erase(i);
      f();
    },
    [=](durable_atom, std::uint64_t token, const caf::error& err) {
      auto i = self->state.durables.find(token);
      if (i == self->state.durables.end()) return;
      auto f = std::move(i->second);
      self->state.durables.erase(i);
      f(err);
    },
  };
}

} // namespace

transaction_actor
spawn_transaction(caf::actor_system& sys,
                  std::shared_ptr<const coordinator_config> cfg,
                  txn_started started, txn_begin options) {
  return caf::actor_cast<transaction_actor>(
    sys.spawn(txn_behavior, std::move(cfg), started, options));
}

caf::actor spawn_static_resolver(caf::actor_system& sys,
                                 std::map<shard_id, caf::actor> shards) {
  return sys.spawn([shards](caf::event_based_actor*) -> caf::behavior {
    return {
      [=](resolve_atom, const std::string& kind,
          const std::string& id) -> caf::result<caf::actor> {
        if (kind == "shard")
          for (const auto& [s, handle] : shards)
            if (std::to_string(s) == id) return handle;
        return make_error(errc::not_found, kind + " " + id + " is unknown");
      },
    };
  });
}

} // namespace troupe::coordinator
