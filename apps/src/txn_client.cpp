#include "txn_client.hpp"

#include <cctype>

#include "troupe/client/client.hpp"

namespace troupe::app {

namespace {

std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
    auto start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])))
      ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::string> parse_one(const std::vector<std::string>& w,
                                     statement& out) {
  const auto& verb = w[0];
  if (verb == "put") {
    if (w.size() != 3) return "put takes a key and a value";
    out = {statement::op::put, w[1], w[2]};
  } else if (verb == "get" || verb == "del") {
    if (w.size() != 2) return verb + " takes one key";
    out = {verb == "get" ? statement::op::get : statement::op::del, w[1], {}};
  } else {
    return "unknown operation '" + verb + "' (expected get, put or del)";
  }
  return std::nullopt;
}

} // namespace

std::variant<std::vector<statement>, statement_error>
parse_statements(std::string_view text) {
  std::vector<statement> out;
  std::size_t begin = 0;
  std::size_t number = 0;
  while (begin <= text.size()) {
    auto end = text.find(';', begin);
    if (end == std::string_view::npos) end = text.size();
    auto part = text.substr(begin, end - begin);
    auto words = words_of(part);
    if (!words.empty()) {
      ++number;
      statement s;
      auto lead = part.find_first_not_of(" \t\r\n");
      if (auto why = parse_one(words, s))
        return statement_error{number, begin + lead + 1, *why};
      out.push_back(std::move(s));
    }
    begin = end + 1;
  }
  if (out.empty())
    return statement_error{1, 1, "no statements (expected e.g. \"put a 1\")"};
  return out;
}

caf::expected<txn_outcome>
run_transaction(const config::cluster_config& cluster,
                const std::vector<statement>& stmts,
                const client::txn_options& opts) {
  auto c = client::client::connect(cluster);
  if (!c) return std::move(c.error());
  auto t = c->begin(opts);
  if (!t) return std::move(t.error());
  txn_outcome out;
  for (const auto& s : stmts) {
    caf::error failed;
    switch (s.kind) {
    case statement::op::get:
      if (auto v = t->get(s.key))
        out.reads.emplace_back(s.key, std::move(*v));
      else
        failed = std::move(v.error());
      break;
    case statement::op::put:
      failed = t->put(s.key, s.value);
      break;
    case statement::op::del:
      failed = t->erase(s.key);
      break;
    }
    if (failed) {
      // The abort cannot fail here; the caller gets the statement's error.
      static_cast<void>(t->abort());
      return failed;
    }
  }
  auto done = t->commit();
  if (!done) return std::move(done.error());
  out.committed = *done;
  return out;
}

} // namespace troupe::app
