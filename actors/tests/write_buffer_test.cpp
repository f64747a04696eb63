#include "troupe/actors/write_buffer.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

using troupe::actors::key_value;
using troupe::actors::overlay_writes;
using troupe::actors::scan_reply;
using troupe::actors::write_buffer;

namespace {

std::vector<std::string> keys_of(const scan_reply& r) {
  std::vector<std::string> out;
  for (const auto& kv : r.rows)
    out.push_back(kv.key);
  return out;
}

std::vector<std::string> values_of(const scan_reply& r) {
  std::vector<std::string> out;
  for (const auto& kv : r.rows)
    out.push_back(kv.value);
  return out;
}

using strings = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(rows_from_several_shards_come_back_in_key_order) {
  // Each shard answers in order; the shards' answers arrive in any order.
  std::vector<key_value> rows{
    {"a/3", "3"}, {"a/7", "7"}, {"a/1", "1"}, {"a/5", "5"}, {"a/2", "2"}};
  auto r = overlay_writes(rows, {}, "a/", {}, 0);
  BOOST_TEST(keys_of(r) == (strings{"a/1", "a/2", "a/3", "a/5", "a/7"}),
             boost::test_tools::per_element());
  BOOST_TEST(values_of(r) == (strings{"1", "2", "3", "5", "7"}),
             boost::test_tools::per_element());
  BOOST_TEST(!r.truncated);
}

BOOST_AUTO_TEST_CASE(own_writes_add_replace_and_erase_rows) {
  std::vector<key_value> rows{{"a/2", "old"}, {"a/1", "1"}, {"a/4", "4"}};
  write_buffer writes{{"a/0", "new0"},       // before every row
                      {"a/2", "new2"},       // replaces a row
                      {"a/3", "new3"},       // between rows
                      {"a/4", std::nullopt}, // erases a row
                      {"a/5", std::nullopt}, // erases nothing
                      {"a/9", "new9"},       // after every row
                      {"b/1", "other"}};     // outside the prefix
  auto r = overlay_writes(rows, writes, "a/", {}, 0);
  BOOST_TEST(keys_of(r) == (strings{"a/0", "a/1", "a/2", "a/3", "a/9"}),
             boost::test_tools::per_element());
  BOOST_TEST(values_of(r) == (strings{"new0", "1", "new2", "new3", "new9"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_limit_cuts_the_merged_rows_and_says_so) {
  std::vector<key_value> rows{{"a/3", "3"}, {"a/1", "1"}};
  write_buffer writes{{"a/2", "2"}, {"a/1", std::nullopt}};
  auto r = overlay_writes(rows, writes, "a/", {}, 1);
  BOOST_TEST(keys_of(r) == strings{"a/2"}, boost::test_tools::per_element());
  BOOST_TEST(r.truncated);
  // Exactly `limit` rows: nothing was cut.
  auto exact = overlay_writes(rows, writes, "a/", {}, 2);
  BOOST_TEST(keys_of(exact) == (strings{"a/2", "a/3"}),
             boost::test_tools::per_element());
  BOOST_TEST(!exact.truncated);
  BOOST_TEST(r.resume == "a/2"); // the next page starts after the last row
}

BOOST_AUTO_TEST_CASE(
  a_window_keeps_its_rows_and_writes_and_resumes_at_its_end) {
  // One page: keys after a/1 up to a/5. A shard's page went on to a/7;
  // that row comes again with the next page.
  std::vector<key_value> rows{{"a/7", "7"}, {"a/2", "2"}, {"a/5", "5"}};
  write_buffer writes{{"a/1", "before the window"},
                      {"a/3", "3"},
                      {"a/5", std::nullopt},
                      {"a/6", "past the window"}};
  auto r = overlay_writes(rows, writes, "a/", {"a/1", "a/5"}, 0);
  BOOST_TEST(keys_of(r) == (strings{"a/2", "a/3"}),
             boost::test_tools::per_element());
  BOOST_TEST(r.truncated);
  BOOST_TEST(r.resume == "a/5");
  // The last page: open at the end, so not truncated.
  auto last = overlay_writes({{"a/7", "7"}}, writes, "a/", {"a/5", {}}, 0);
  BOOST_TEST(keys_of(last) == (strings{"a/6", "a/7"}),
             boost::test_tools::per_element());
  BOOST_TEST(!last.truncated);
  BOOST_TEST(last.resume.empty());
}

BOOST_AUTO_TEST_CASE(a_key_twice_keeps_the_later_row) {
  std::vector<key_value> rows{{"a/1", "first"}, {"a/2", "2"}, {"a/1", "last"}};
  auto r = overlay_writes(rows, {}, "a/", {}, 0);
  BOOST_TEST(keys_of(r) == (strings{"a/1", "a/2"}),
             boost::test_tools::per_element());
  BOOST_TEST(values_of(r) == (strings{"last", "2"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_merge_matches_a_map_of_the_same_rows_and_writes) {
  // Seeded: random rows and writes against the obvious model.
  std::mt19937 rng{20261124};
  for (int round = 0; round < 200; ++round) {
    std::uniform_int_distribution<int> key{0, 30}, coin{0, 2};
    std::vector<key_value> rows;
    std::map<std::string, std::string> model;
    for (int i = 0; i < 20; ++i) {
      auto k = "p/" + std::to_string(key(rng));
      auto v = "r" + std::to_string(i);
      if (model.count(k) == 0) { // the storage has one row per key
        rows.push_back({k, v});
        model[k] = v;
      }
    }
    write_buffer writes;
    for (int i = 0; i < 10; ++i) {
      auto k = (coin(rng) == 0 ? "q/" : "p/") + std::to_string(key(rng));
      if (coin(rng) == 0)
        writes[k] = std::nullopt;
      else
        writes[k] = "w" + std::to_string(i);
    }
    for (const auto& [k, v] : writes) {
      if (k.rfind("p/", 0) != 0) continue;
      if (v)
        model[k] = *v;
      else
        model.erase(k);
    }
    std::shuffle(rows.begin(), rows.end(), rng);
    std::uint32_t limit = round % 3 == 0 ? 5 : 0;
    auto r = overlay_writes(rows, writes, "p/", {}, limit);
    strings want_keys, want_values;
    for (const auto& [k, v] : model) {
      if (limit != 0 && want_keys.size() == limit) break;
      want_keys.push_back(k);
      want_values.push_back(v);
    }
    BOOST_TEST(keys_of(r) == want_keys, boost::test_tools::per_element());
    BOOST_TEST(values_of(r) == want_values, boost::test_tools::per_element());
    BOOST_TEST(r.truncated == (limit != 0 && model.size() > limit));
  }
}
