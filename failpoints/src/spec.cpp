#include "troupe/failpoints/spec.hpp"

#include <charconv>
#include <system_error>

namespace troupe::failpoints {

namespace {

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  while (!s.empty() && blank(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && blank(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string quote(std::string_view s) {
  return "'" + std::string{s} + "'";
}

/// Whole of `s` as a decimal integer: no sign, no blanks, no trailing text.
bool parse_uint(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

bool parse_probability(std::string_view s, double& out) {
  if (s.empty() || s.front() == '+' || s.front() == '-') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size();
}

/// The action before `@`; empty string on success, else the reason.
std::string parse_action(std::string_view head, spec& s) {
  constexpr std::string_view expected =
    "; expected off, crash, error or delay(MS)";
  if (head == "off") {
    s.what = action::off;
  } else if (head == "crash") {
    s.what = action::crash;
  } else if (head == "error") {
    s.what = action::error;
  } else if (head.substr(0, 6) == "delay(" && head.back() == ')') {
    std::uint64_t ms = 0;
    auto digits = head.substr(6, head.size() - 7);
    if (!parse_uint(digits, ms) || ms > max_delay_ms)
      return "delay takes whole milliseconds from 0 to " +
             std::to_string(max_delay_ms) + ", got " + quote(digits);
    s.what = action::delay;
    s.delay_ms = static_cast<std::uint32_t>(ms);
  } else if (head.empty()) {
    return "no action" + std::string{expected};
  } else {
    return "unknown action " + quote(head) + std::string{expected};
  }
  return {};
}

/// One `KEY=VALUE` modifier; empty string on success, else the reason.
std::string parse_modifier(std::string_view mod, spec& s, unsigned& seen) {
  auto eq = mod.find('=');
  auto key = mod.substr(0, eq);
  auto value =
    eq == std::string_view::npos ? std::string_view{} : mod.substr(eq + 1);
  unsigned bit = key == "p"       ? 1u
                 : key == "after" ? 2u
                 : key == "times" ? 4u
                                  : 0u;
  if (bit == 0)
    return "unknown modifier " + quote(mod) +
           "; expected p=PROBABILITY, after=N or times=N";
  if (seen & bit) return "modifier " + quote(key) + " given twice";
  seen |= bit;
  if (bit == 1) {
    if (!parse_probability(value, s.probability) || !(s.probability > 0.0) ||
        s.probability > 1.0)
      return "p must be a decimal number in (0, 1], got " + quote(value);
    return {};
  }
  std::uint64_t n = 0;
  if (!parse_uint(value, n))
    return std::string{key} + " must be an unsigned integer, got " +
           quote(value);
  if (bit == 4 && n == 0) return "times must be at least 1";
  (bit == 2 ? s.after : s.times) = n;
  return {};
}

std::string parse_spec_reason(std::string_view text, spec& s) {
  auto at = text.find('@');
  if (auto reason = parse_action(text.substr(0, at), s); !reason.empty())
    return reason;
  if (at == std::string_view::npos) return {};
  if (s.what == action::off) return "'off' takes no modifiers";
  auto mods = text.substr(at + 1);
  if (mods.empty()) return "'@' must be followed by modifiers";
  unsigned seen = 0;
  while (true) {
    auto comma = mods.find(',');
    auto mod = mods.substr(0, comma);
    if (mod.empty()) return "empty modifier";
    if (auto reason = parse_modifier(mod, s, seen); !reason.empty())
      return reason;
    if (comma == std::string_view::npos) return {};
    mods.remove_prefix(comma + 1);
  }
}

} // namespace

status parse_spec(std::string_view text, spec& out) {
  auto trimmed = trim(text);
  spec s;
  auto reason = parse_spec_reason(trimmed, s);
  if (!reason.empty())
    return status::fail("bad fail-point spec " + quote(trimmed) + ": " +
                        reason);
  out = s;
  return {};
}

status parse_config(std::string_view text, std::vector<config_entry>& out) {
  std::vector<config_entry> entries;
  while (!text.empty()) {
    auto semi = text.find(';');
    auto entry = trim(text.substr(0, semi));
    text.remove_prefix(semi == std::string_view::npos ? text.size() : semi + 1);
    if (entry.empty()) continue;
    auto eq = entry.find('=');
    if (eq == std::string_view::npos)
      return status::fail("entry " + quote(entry) +
                          " lacks '=' (expected NAME=SPEC)");
    auto name = trim(entry.substr(0, eq));
    if (!is_valid_name(name))
      return status::fail("invalid fail-point name " + quote(name) +
                          " (dot-separated words of a-z, 0-9, _)");
    for (const auto& e : entries)
      if (e.first == name)
        return status::fail("fail point " + quote(name) + " given twice");
    spec s;
    if (auto st = parse_spec(entry.substr(eq + 1), s); !st)
      return status::fail("fail point " + quote(name) + ": " + st.reason());
    entries.emplace_back(std::string{name}, s);
  }
  out = std::move(entries);
  return {};
}

std::string to_string(const spec& s) {
  std::string text;
  switch (s.what) {
  case action::off:
    return "off";
  case action::crash:
    text = "crash";
    break;
  case action::error:
    text = "error";
    break;
  case action::delay:
    text = "delay(" + std::to_string(s.delay_ms) + ")";
    break;
  }
  std::string mods;
  auto add = [&mods](std::string mod) {
    mods += mods.empty() ? "@" : ",";
    mods += mod;
  };
  if (s.probability < 1.0) {
    char buf[32];
    // Shortest form that reads back as the same double.
    auto res = std::to_chars(buf, buf + sizeof buf, s.probability);
    add("p=" + std::string(buf, res.ptr));
  }
  if (s.after > 0) add("after=" + std::to_string(s.after));
  if (s.times > 0) add("times=" + std::to_string(s.times));
  return text + mods;
}

} // namespace troupe::failpoints
