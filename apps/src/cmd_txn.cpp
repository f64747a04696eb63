// troupe txn --config FILE "put a 1; get b" [--serializable] [--3pc] [--json]
// troupe get --config FILE KEY...  | put --config FILE KEY VALUE
// troupe del --config FILE KEY...
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "load_config.hpp"
#include "troupe/actors/errc.hpp"
#include "txn_client.hpp"

namespace troupe::app {

namespace {

struct txn_options {
  std::string config;
  std::string text;              // txn
  std::vector<std::string> keys; // get, del
  std::string key, value;        // put
  bool serializable = false;
  bool three_phase = false;
  bool json = false;
};

std::string error_code(const caf::error& err) {
  if (err.category() == actors::errc_category)
    return actors::to_string(static_cast<actors::errc>(err.code()));
  return caf::to_string(err.category()) + ":" + std::to_string(err.code());
}

nlohmann::ordered_json outcome_json(const txn_outcome& out) {
  nlohmann::ordered_json reads = nlohmann::ordered_json::object();
  for (const auto& [k, v] : out.reads)
    reads[k] = v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
  return {{"reads", reads},
          {"commit_ts", out.committed.commit_ts},
          {"one_phase", out.committed.one_phase}};
}

int report(const caf::expected<txn_outcome>& out, const std::string& cmd,
           bool json, bool writes, bool three_phase) {
  if (!out) {
    const auto& err = out.error();
    if (json)
      std::cout
        << nlohmann::ordered_json{{"error",
                                   {{"code", error_code(err)},
                                    {"retry", actors::to_string(
                                                actors::retry_class_of(err))},
                                    {"message", actors::describe(err, false)}}}}
             .dump(2)
        << '\n';
    std::cerr << "troupe " << cmd << ": " << actors::describe(err) << '\n';
    return exit_failure;
  }
  if (json) {
    std::cout << outcome_json(*out).dump(2) << '\n';
    return exit_ok;
  }
  for (const auto& [k, v] : out->reads)
    std::cout << k << " = " << (v ? *v : "(none)") << '\n';
  // A read-only transaction commits at its start timestamp, without a
  // commit protocol.
  const char* how = !writes                    ? "read-only"
                    : out->committed.one_phase ? "1PC"
                    : three_phase              ? "3PC"
                                               : "2PC";
  std::cout << "committed at " << out->committed.commit_ts << " (" << how
            << ")\n";
  return exit_ok;
}

int run(const txn_options& o, const std::string& cmd,
        const std::vector<statement>& stmts) {
  auto cfg = load_config_or_report(o.config);
  if (!cfg) return exit_bad_input;
  client::txn_options topts;
  topts.isolation = o.serializable ? actors::isolation_level::serializable
                                   : actors::isolation_level::snapshot;
  topts.three_phase = o.three_phase;
  bool writes = false;
  for (const auto& s : stmts)
    writes = writes || s.kind != statement::op::get;
  return report(run_transaction(*cfg, stmts, topts), cmd, o.json, writes,
                o.three_phase);
}

int run_txn(const txn_options& o) {
  auto parsed = parse_statements(o.text);
  if (auto* e = std::get_if<statement_error>(&parsed)) {
    std::cerr << "troupe txn: statement " << e->number << " (column "
              << e->column << "): " << e->reason << '\n';
    return exit_bad_input;
  }
  return run(o, "txn", std::get<std::vector<statement>>(parsed));
}

std::vector<statement> each_key(statement::op op,
                                const std::vector<std::string>& keys) {
  std::vector<statement> out;
  for (const auto& k : keys)
    out.push_back({op, k, {}});
  return out;
}

CLI::App* add(CLI::App& app, const std::string& name, const std::string& help,
              const std::shared_ptr<txn_options>& o) {
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("--config", o->config, "TOML cluster config")->required();
  cmd->add_flag("--serializable", o->serializable,
                "Serializable isolation (default: snapshot)");
  cmd->add_flag("--3pc", o->three_phase,
                "Commit across shards with three-phase commit (default: "
                "two-phase)");
  cmd->add_flag("--json", o->json, "Print JSON");
  return cmd;
}

} // namespace

void add_txn_commands(CLI::App& app) {
  auto o = std::make_shared<txn_options>();
  auto* txn = add(app, "txn",
                  "Run one transaction: \"put a 1; get b; del c\"; prints the "
                  "reads and the commit timestamp, or the typed error (exit 1)",
                  o);
  txn->add_option("statements", o->text, "Statements separated by ';'")
    ->required();
  txn->callback([o] { finish(run_txn(*o)); });

  auto* get = add(app, "get", "Read keys in one transaction", o);
  get->add_option("keys", o->keys, "Keys")->required();
  get->callback(
    [o] { finish(run(*o, "get", each_key(statement::op::get, o->keys))); });

  auto* put = add(app, "put", "Write one key in one transaction", o);
  put->add_option("key", o->key, "Key")->required();
  put->add_option("value", o->value, "Value")->required();
  put->callback([o] {
    finish(run(*o, "put", {{statement::op::put, o->key, o->value}}));
  });

  auto* del = add(app, "del", "Delete keys in one transaction", o);
  del->add_option("keys", o->keys, "Keys")->required();
  del->callback(
    [o] { finish(run(*o, "del", each_key(statement::op::del, o->keys))); });
}

} // namespace troupe::app
