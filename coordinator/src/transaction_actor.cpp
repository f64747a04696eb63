// The transaction actor: client requests, snapshot reads, timers.
#include "transaction_actor.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

#include "troupe/actors/errc.hpp"
#include "troupe/mvcc/types.hpp"

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
  const auto& cache = self->state.cfg->participants;
  if (cache)
    if (auto p = cache->find(shard)) {
      known[shard] = *p;
      return f(std::move(*p));
    }
  resolve_participant(self, self->state.cfg->resolver,
                      self->state.cfg->request_timeout, shard,
                      [=](caf::expected<participant_actor> p) {
                        if (p) {
                          self->state.shards[shard] = *p;
                          if (cache) cache->insert(shard, *p);
                        }
                        f(std::move(p));
                      });
}

void forget_shard(txn_self self, shard_id shard) {
  auto& known = self->state.shards;
  auto i = known.find(shard);
  if (i == known.end()) return;
  if (const auto& cache = self->state.cfg->participants)
    cache->erase(shard, i->second.address());
  known.erase(i);
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
/// frontier, the least key at which a shard's page stopped short (up to it
/// every shard's rows are in; past it only some are), or earlier where the
/// merged rows reach the page size. What was read past the page's end is
/// kept for the next page (scan_cursor).
struct scan_gather {
  txn_scan req;
  caf::typed_response_promise<scan_reply> rp;
  std::vector<key_value> rows;
  std::vector<std::pair<shard_id, std::string>> todo; ///< shard, after
  std::map<shard_id, std::string> open; ///< shards read only up to a key
  std::optional<std::string> frontier;
  std::uint32_t page_bytes = 0;  ///< the merged page's size
  std::uint32_t shard_bytes = 0; ///< each shard's page budget
  std::size_t next = 0;          ///< the next entry of `todo` to read
  std::size_t left = 0;          ///< shards not answered yet
  bool failed = false;
};

void scan_shard(txn_self self, std::size_t i, std::shared_ptr<scan_gather> g,
                std::uint32_t attempt);

/// Starts the scan of the next shard, if any is left.
void scan_next(txn_self self, const std::shared_ptr<scan_gather>& g) {
  if (g->failed || g->next >= g->todo.size()) return;
  scan_shard(self, g->next++, g, 1);
}

/// Ends the page: the rows up to its end, own writes applied, go to the
/// client; the rows past it and the shards still open stay for the next.
void finish_page(txn_self self, scan_gather& g) {
  auto by_key = [](const key_value& a, const key_value& b) {
    return a.key < b.key;
  };
  std::sort(g.rows.begin(), g.rows.end(), by_key);
  auto cut = g.rows.end();
  if (g.frontier)
    cut = std::upper_bound(g.rows.begin(), g.rows.end(),
                           key_value{*g.frontier, {}}, by_key);
  std::optional<std::string> upto = g.frontier;
  std::size_t bytes = 0;
  for (auto i = g.rows.begin(); i != cut; ++i) {
    bytes += mvcc::scan_row_bytes(i->key, i->value);
    if (bytes >= g.page_bytes && i + 1 != cut) {
      cut = i + 1;
      upto = i->key;
      break;
    }
  }
  std::vector<key_value> past{std::make_move_iterator(cut),
                              std::make_move_iterator(g.rows.end())};
  g.rows.erase(cut, g.rows.end());
  auto out = self->state.txn->overlay(std::move(g.rows), g.req.prefix,
                                      {g.req.after, upto}, g.req.limit);
  // Kept only when the page ended at `upto` (not at the limit): then the
  // next page starts exactly after it.
  if (upto && out.truncated && out.resume == *upto)
    self->state.cursor =
      scan_cursor{g.req.prefix, *upto, std::move(past), std::move(g.open)};
  g.rp.deliver(std::move(out));
}

/// Scans entry `i` of the gather's shards into `g`, retrying (bounded)
/// while an undecided intent blocks it, like read_key.
void scan_shard(txn_self self, std::size_t i, std::shared_ptr<scan_gather> g,
                std::uint32_t attempt) {
  auto fail = [=](caf::error err) {
    if (g->failed) return;
    g->failed = true;
    g->rp.deliver(std::move(err));
  };
  auto s = g->todo[i].first;
  with_shard(self, s, [=](caf::expected<participant_actor> p) {
    if (!p) return fail(std::move(p.error()));
    scan_request sr{s,
                    g->req.prefix,
                    self->state.txn->id().start_ts,
                    g->req.limit,
                    g->todo[i].second,
                    g->shard_bytes};
    self->request(*p, self->state.cfg->request_timeout, sr)
      .then(
        [=](scan_reply& r) {
          for (auto& kv : r.rows) {
            self->state.txn->note_read(kv.key);
            g->rows.push_back(std::move(kv));
          }
          if (r.truncated) {
            if (!g->frontier || r.resume < *g->frontier) g->frontier = r.resume;
            g->open[s] = std::move(r.resume);
          }
          if (g->failed) return;
          if (--g->left > 0) return scan_next(self, g);
          finish_page(self, *g);
        },
        [=](caf::error& err) {
          if (is(err, errc::locked) && !g->failed &&
              attempt < self->state.cfg->retry.max_attempts)
            return after(self, self->state.delays->delay(attempt),
                         [=] { scan_shard(self, i, g, attempt + 1); });
          fail(std::move(err));
        });
  });
}

/// Scans every shard (or the one a hash-tagged prefix names), merges,
/// applies own writes; one page. The page after one that ended short
/// starts from what that page read past its end, and reads on only the
/// shards not read to their end.
void scan_all(txn_self self, txn_scan req,
              caf::typed_response_promise<scan_reply> rp) {
  auto& cfg = *self->state.cfg;
  auto g = std::make_shared<scan_gather>();
  auto& cursor = self->state.cursor;
  if (cursor && !req.after.empty() && cursor->prefix == req.prefix &&
      cursor->resume == req.after) {
    g->rows = std::move(cursor->rows);
    for (auto& [shard, after] : cursor->open)
      g->todo.emplace_back(shard, std::move(after));
  } else {
    auto count = cfg.shards.count == 0 ? 1u : cfg.shards.count;
    auto only = cfg.shards.of_prefix(req.prefix);
    for (auto shard = only ? *only : 0u; shard < (only ? *only + 1 : count);
         ++shard)
      g->todo.emplace_back(shard, req.after);
  }
  cursor.reset();
  g->req = std::move(req);
  g->rp = std::move(rp);
  // The page: the node's size, or less when asked. Each shard reads its
  // share of it, but at least 16 KiB (or the page), so that a prefix
  // spread thin over many shards takes one request per shard, not one per
  // shard and page.
  g->page_bytes = cfg.scan_page_bytes;
  if (g->req.max_bytes != 0 && g->req.max_bytes < g->page_bytes)
    g->page_bytes = g->req.max_bytes;
  auto share = static_cast<std::uint32_t>(
    g->page_bytes / std::max<std::size_t>(g->todo.size(), 1));
  g->shard_bytes =
    std::max({share, std::min<std::uint32_t>(g->page_bytes, 16 * 1024), 1u});
  g->left = g->todo.size();
  if (g->left == 0) return finish_page(self, *g);
  auto width = std::max<std::uint32_t>(cfg.scan_parallelism, 1);
  for (std::uint32_t i = 0; i < width; ++i)
    scan_next(self, g);
}

/// Arms the idle timer for `delay`: when it fires, a transaction still
/// active whose client was silent for `idle_timeout` aborts, and one that
/// heard a call since waits for the rest of the timeout.
void arm_idle(txn_self self, caf::timespan delay) {
  self->state.idle_armed = true;
  after(self, delay, [=] {
    auto& st = self->state;
    st.idle_armed = false;
    if (st.txn->phase != txn_phase::active) return;
    auto silent = self->clock().now() - st.last_call;
    if (silent >= st.cfg->idle_timeout)
      return abort_all(self, make_error(errc::aborted, "idle timeout"));
    arm_idle(self, st.cfg->idle_timeout - silent);
  });
}

/// Notes a client call: a transaction without client calls for
/// `idle_timeout` aborts. A call only stamps the time; the one timer
/// (arm_idle) checks it, so calls cost no clock events.
void touch(txn_self self) {
  self->state.last_call = self->clock().now();
  if (!self->state.idle_armed) arm_idle(self, self->state.cfg->idle_timeout);
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
