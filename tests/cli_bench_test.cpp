// `troupe bench storage` as users and scripts see it: the JSON fields are
// user interface, the text names machine and command, bad input exits 2.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "run_command.hpp"

using troupe::test::run_command;

BOOST_AUTO_TEST_CASE(storage_bench_prints_one_json_object_per_writer_count) {
  auto r = run_command({TROUPE_BIN, "bench", "storage", "--writers", "1,4",
                        "--seconds", "0.2", "--json"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto j = nlohmann::json::parse(r.out);
  BOOST_REQUIRE(j.is_array());
  BOOST_REQUIRE_EQUAL(j.size(), 2u);
  BOOST_CHECK_EQUAL(j[0]["writers"], 1);
  BOOST_CHECK_EQUAL(j[1]["writers"], 4);
  for (const auto& row : j) {
    BOOST_TEST(row["mvcc_commits_per_s"].get<double>() > 0);
    BOOST_TEST(row["rocksdb_puts_per_s"].get<double>() > 0);
    BOOST_TEST(row["ratio"].get<double>() > 0);
    // Every commit is durable: at most one fsync each, at least one in all.
    auto fsyncs = row["fsyncs_per_commit"].get<double>();
    BOOST_TEST(fsyncs > 0);
    BOOST_TEST(fsyncs <= 1.0);
  }
  BOOST_CHECK_EQUAL(j[0]["fsyncs_per_commit"].get<double>(), 1.0);
}

BOOST_AUTO_TEST_CASE(
  storage_bench_text_names_machine_and_command_and_cleans_up) {
  auto dir = std::filesystem::temp_directory_path() / "troupe-cli-bench-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto r = run_command({TROUPE_BIN, "bench", "storage", "--writers", "2",
                        "--seconds", "0.1", "--dir", dir.string()});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(r.out.find("command: troupe bench storage --writers 2") !=
             std::string::npos);
  BOOST_TEST(r.out.find("machine: ") != std::string::npos);
  BOOST_TEST(r.out.find("nproc") != std::string::npos);
  BOOST_TEST(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(storage_bench_rejects_bad_arguments_with_exit_2) {
  for (auto args : std::vector<std::vector<std::string>>{
         {"--writers", "0"},
         {"--writers", "x"},
         {"--seconds", "-1"},
         {"--dir", "/nonexistent/troupe"}}) {
    std::vector<std::string> argv{TROUPE_BIN, "bench", "storage"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_command(argv);
    BOOST_TEST(r.exit_code == 2, args[0] << " " << args[1]);
  }
}
