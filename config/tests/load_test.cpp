#include "troupe/config/load.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

#include "troupe/config/config_error.hpp"

using troupe::config::cluster_config;
using troupe::config::config_error;
using troupe::config::parse;

namespace {

const std::string two_nodes = R"([[nodes]]
name = "a"
port = 7001

[[nodes]]
name = "b"
port = 7002
)";

/// Parses `text` expecting a config_error at `line`:`column` whose reason
/// contains `needle`.
void expect_error(const std::string& text, std::uint32_t line,
                  std::uint32_t column, const std::string& needle) {
  try {
    (void)parse(text, "test.toml");
    BOOST_FAIL("expected a config_error containing '" << needle << "'");
  } catch (const config_error& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_CHECK_EQUAL(e.file(), "test.toml");
    BOOST_CHECK_EQUAL(e.line(), line);
    BOOST_CHECK_EQUAL(e.column(), column);
    BOOST_CHECK_MESSAGE(e.reason().find(needle) != std::string::npos,
                        "reason '" << e.reason() << "' lacks '" << needle
                                   << "'");
    auto prefix =
      "test.toml:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    BOOST_CHECK_EQUAL(std::string{e.what()}.rfind(prefix, 0), 0u);
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(minimal_config_gets_every_default) {
  auto cfg = parse(two_nodes, "test.toml");
  BOOST_CHECK_EQUAL(cfg.name, "troupe");
  BOOST_CHECK_EQUAL(cfg.shards, 64u);
  BOOST_CHECK_EQUAL(cfg.virtual_nodes, 256u);
  BOOST_REQUIRE_EQUAL(cfg.nodes.size(), 2u);
  BOOST_CHECK_EQUAL(cfg.nodes[0].host, "127.0.0.1");
  BOOST_CHECK_EQUAL(cfg.nodes[0].data_dir, "data/a");
  BOOST_CHECK_EQUAL(cfg.nodes[1].address(), "127.0.0.1:7002");
  BOOST_CHECK_EQUAL(cfg.nodes[1].weight, 1u);
  BOOST_CHECK(cfg.durability.sync);
  BOOST_CHECK_EQUAL(cfg.gc.interval.count(), 60000);
  BOOST_CHECK_EQUAL(cfg.gc.lifetime.count(), 600000);
  BOOST_CHECK_EQUAL(cfg.retry.max_attempts, 5u);
  BOOST_CHECK_EQUAL(cfg.timeouts.prepare.count(), 2000);
  BOOST_CHECK_EQUAL(cfg.log.level, "info");
  BOOST_CHECK_GE(cfg.effective_scheduler_threads(), 1u);
  // Both nodes on 127.0.0.1 share the cores.
  BOOST_CHECK_EQUAL(cfg.effective_scheduler_threads(cfg.nodes[0], 8), 4u);
  BOOST_CHECK_EQUAL(cfg.effective_scheduler_threads(cfg.nodes[1], 3), 1u);
  BOOST_CHECK_EQUAL(cfg.effective_scheduler_threads(cfg.nodes[1], 1), 1u);
  auto other = cfg;
  other.nodes[1].host = "10.0.0.2";
  BOOST_CHECK_EQUAL(other.effective_scheduler_threads(other.nodes[0], 8), 8u);
  other.scheduler_threads = 3;
  BOOST_CHECK_EQUAL(other.effective_scheduler_threads(other.nodes[0], 8), 3u);
  BOOST_CHECK(cfg.find_node("b") != nullptr);
  BOOST_CHECK(cfg.find_node("c") == nullptr);
}

BOOST_AUTO_TEST_CASE(explicit_values_override_defaults) {
  auto cfg = parse(R"([cluster]
name = "x"
shards = 8
[[nodes]]
name = "a"
host = "10.0.0.1"
port = 9000
weight = 3
data_dir = "/var/lib/a"
[durability]
sync = false
[retry]
multiplier = 1.5
initial_interval_ms = 10
max_interval_ms = 20
[log]
level = "debug"
)",
                   "test.toml");
  BOOST_CHECK_EQUAL(cfg.name, "x");
  BOOST_CHECK_EQUAL(cfg.shards, 8u);
  BOOST_CHECK_EQUAL(cfg.nodes[0].weight, 3u);
  BOOST_CHECK_EQUAL(cfg.nodes[0].data_dir, "/var/lib/a");
  BOOST_CHECK(!cfg.durability.sync);
  BOOST_CHECK_CLOSE(cfg.retry.multiplier, 1.5, 1e-9);
  BOOST_CHECK_EQUAL(cfg.retry.max_interval.count(), 20);
  BOOST_CHECK_EQUAL(cfg.log.level, "debug");
}

BOOST_AUTO_TEST_CASE(empty_file_is_rejected) {
  expect_error("", 1, 1, "empty");
}

BOOST_AUTO_TEST_CASE(blank_file_is_rejected_as_empty) {
  expect_error("\n   \n\t\n", 1, 1, "empty");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected_with_its_position) {
  expect_error("[cluster]\nname = \"ab\xff\xfe\"\n" + two_nodes, 2, 11,
               "invalid UTF-8: byte 0xFF");
  expect_error("# caf\xc3\n" + two_nodes, 1, 6, "invalid UTF-8: byte 0xC3");
}

BOOST_AUTO_TEST_CASE(multibyte_utf8_is_accepted) {
  auto cfg =
    parse("[cluster]\nname = \"caf\xc3\xa9-\xe2\x82\xac\"\n" + two_nodes,
          "test.toml");
  BOOST_CHECK_EQUAL(cfg.name, "caf\xc3\xa9-\xe2\x82\xac");
}

BOOST_AUTO_TEST_CASE(toml_syntax_error_names_its_position) {
  expect_error("[cluster]\nshards = = 3\n" + two_nodes, 2, 10, "invalid TOML");
}

BOOST_AUTO_TEST_CASE(unknown_top_level_key_is_rejected) {
  expect_error(two_nodes + "[durabilty]\nsync = true\n", 8, 2,
               "unknown key 'durabilty'");
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_node_lists_the_allowed_ones) {
  expect_error("[[nodes]]\nname = \"a\"\nprot = 7001\n", 3, 1,
               "allowed keys: data_dir, host, name, port, weight");
}

BOOST_AUTO_TEST_CASE(gc_section_is_read_and_checked) {
  auto cfg = parse(two_nodes + "[gc]\ninterval_ms = 0\nlifetime_ms = 1500\n",
                   "test.toml");
  BOOST_CHECK_EQUAL(cfg.gc.interval.count(), 0);
  BOOST_CHECK_EQUAL(cfg.gc.lifetime.count(), 1500);
  expect_error(two_nodes + "[gc]\ninterval_ms = -1\n", 9, 15, "interval_ms");
  expect_error(two_nodes + "[gc]\nlifetime_ms = 0\n", 9, 15,
               "must be a positive interval");
  expect_error(two_nodes + "[gc]\nlife_ms = 10\n", 9, 1,
               "unknown key 'life_ms' in [gc]");
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_section_is_rejected) {
  expect_error(two_nodes + "[durability]\nsynch = true\n", 9, 1,
               "unknown key 'synch' in [durability]");
}

BOOST_AUTO_TEST_CASE(duplicate_toml_key_is_rejected) {
  expect_error("[cluster]\nshards = 3\nshards = 4\n" + two_nodes, 3, 10,
               "invalid TOML");
}

BOOST_AUTO_TEST_CASE(duplicate_node_name_is_rejected) {
  expect_error("[[nodes]]\nname = \"a\"\nport = 1\n"
               "[[nodes]]\nname = \"a\"\nport = 2\n",
               5, 8, "duplicate node name 'a'");
}

BOOST_AUTO_TEST_CASE(duplicate_host_and_port_is_rejected) {
  expect_error("[[nodes]]\nname = \"a\"\nport = 7001\n"
               "[[nodes]]\nname = \"b\"\nhost = \"127.0.0.1\"\nport = 7001\n",
               7, 8, "duplicate address 127.0.0.1:7001");
}

BOOST_AUTO_TEST_CASE(same_port_on_different_hosts_is_fine) {
  auto cfg =
    parse("[[nodes]]\nname = \"a\"\nhost = \"10.0.0.1\"\nport = 7001\n"
          "[[nodes]]\nname = \"b\"\nhost = \"10.0.0.2\"\nport = 7001\n",
          "test.toml");
  BOOST_CHECK_EQUAL(cfg.nodes.size(), 2u);
}

BOOST_AUTO_TEST_CASE(port_zero_is_rejected) {
  expect_error("[[nodes]]\nname = \"a\"\nport = 0\n", 3, 8,
               "between 1 and 65535, got 0");
}

BOOST_AUTO_TEST_CASE(port_above_65535_is_rejected) {
  expect_error("[[nodes]]\nname = \"a\"\nport = 65536\n", 3, 8,
               "between 1 and 65535, got 65536");
}

BOOST_AUTO_TEST_CASE(missing_port_is_rejected) {
  expect_error("[[nodes]]\nname = \"a\"\n", 1, 1,
               "missing required key 'port' in nodes[0]");
}

BOOST_AUTO_TEST_CASE(zero_nodes_is_rejected) {
  expect_error("[cluster]\nname = \"x\"\n", 1, 1, "no nodes");
}

BOOST_AUTO_TEST_CASE(empty_node_list_is_rejected) {
  expect_error("nodes = []\n", 1, 9, "no nodes");
}

BOOST_AUTO_TEST_CASE(shard_count_zero_is_rejected) {
  expect_error("[cluster]\nshards = 0\n" + two_nodes, 2, 10,
               "'shards' in [cluster] must be between 1 and 65536, got 0");
}

BOOST_AUTO_TEST_CASE(zero_interval_is_rejected) {
  expect_error(two_nodes + "[retry]\ninitial_interval_ms = 0\n", 9, 23,
               "must be a positive interval");
}

BOOST_AUTO_TEST_CASE(negative_interval_is_rejected) {
  expect_error(two_nodes + "[timeouts]\nprepare_ms = -5\n", 9, 14,
               "must be a positive interval in milliseconds, got -5");
}

BOOST_AUTO_TEST_CASE(a_message_limit_below_one_key_and_value_is_rejected) {
  // 1 MiB values (the default) cannot travel in 64 KiB messages.
  expect_error(two_nodes + "[limits]\nmax_message_bytes = 65536\n", 9, 21,
               "'max_message_bytes' in [limits] (65536) must hold one key "
               "and one value at their limits plus 4096 bytes of framing "
               "(1056768)");
  // Smaller values make it fit; the scan page is half of what is left.
  auto ok = parse(two_nodes + "[limits]\nmax_value_bytes = 4096\n"
                              "max_message_bytes = 65536\n",
                  "test.toml");
  BOOST_CHECK_EQUAL(ok.limits.scan_page_bytes(),
                    (65536u - 4096u - 4096u - 4096u) / 2);
  BOOST_CHECK_EQUAL(cluster_config{}.limits.scan_page_bytes(), 256u * 1024);
}

BOOST_AUTO_TEST_CASE(weight_zero_is_rejected) {
  expect_error("[[nodes]]\nname = \"a\"\nport = 1\nweight = 0\n", 4, 10,
               "'weight' in nodes[0] must be between 1 and 10000, got 0");
}

BOOST_AUTO_TEST_CASE(wrong_type_names_expected_and_actual) {
  expect_error("[[nodes]]\nname = \"a\"\nport = \"7001\"\n", 3, 8,
               "must be an integer, got string");
}

BOOST_AUTO_TEST_CASE(heartbeat_timeout_must_exceed_interval) {
  expect_error(two_nodes + "[timeouts]\nheartbeat_interval_ms = 500\n"
                           "heartbeat_timeout_ms = 400\n",
               10, 24, "must be greater than 'heartbeat_interval_ms'");
}

BOOST_AUTO_TEST_CASE(three_phase_timeout_must_exceed_prepare) {
  expect_error(two_nodes + "[timeouts]\nprepare_ms = 3000\n"
                           "three_phase_ms = 3000\n",
               10, 18, "must be greater than 'prepare_ms' (3000)");
}

BOOST_AUTO_TEST_CASE(three_phase_timeout_defaults_above_prepare) {
  auto cfg = parse(two_nodes + "[timeouts]\nprepare_ms = 4000\n", "t.toml");
  BOOST_CHECK_EQUAL(cfg.timeouts.three_phase.count(), 8000);
  auto plain = parse(two_nodes, "t.toml");
  BOOST_CHECK_EQUAL(plain.timeouts.three_phase.count(), 5000);
}

BOOST_AUTO_TEST_CASE(lock_wait_must_be_below_the_request_timeout) {
  expect_error(two_nodes + "[timeouts]\nrequest_ms = 1000\n"
                           "lock_wait_ms = 1000\n",
               10, 16, "must be less than 'request_ms' (1000)");
  auto cfg = parse(two_nodes + "[timeouts]\nrequest_ms = 600\n", "t.toml");
  BOOST_CHECK_EQUAL(cfg.timeouts.lock_wait.count(), 300);
  auto plain = parse(two_nodes, "t.toml");
  BOOST_CHECK_EQUAL(plain.timeouts.lock_wait.count(), 500);
}

BOOST_AUTO_TEST_CASE(unknown_log_level_lists_choices) {
  expect_error(two_nodes + "[log]\nlevel = \"loud\"\n", 9, 9,
               "one of debug, error, info, off, trace, warn");
}

BOOST_AUTO_TEST_CASE(bad_node_name_is_rejected) {
  expect_error("[[nodes]]\nname = \"a b\"\nport = 1\n", 2, 8,
               "may only hold letters");
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_file_without_position) {
  try {
    (void)troupe::config::load_file("/nonexistent/troupe.toml");
    BOOST_FAIL("expected a config_error");
  } catch (const config_error& e) {
    BOOST_CHECK_EQUAL(e.line(), 0u);
    BOOST_CHECK_EQUAL(std::string{e.what()},
                      "/nonexistent/troupe.toml: cannot open the file: No "
                      "such file or directory");
  }
}

BOOST_AUTO_TEST_CASE(shipped_examples_are_valid) {
  const std::string dir = TROUPE_SOURCE_DIR "/examples/cluster/";
  auto three = troupe::config::load_file(dir + "local-3.toml");
  BOOST_CHECK_EQUAL(three.name, "local-3");
  BOOST_CHECK_EQUAL(three.nodes.size(), 3u);
  auto one = troupe::config::load_file(dir + "single.toml");
  BOOST_CHECK_EQUAL(one.nodes.size(), 1u);
}
