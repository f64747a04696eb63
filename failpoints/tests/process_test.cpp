// What only a separate process can show: the crash action, and reading
// TROUPE_FAILPOINTS / TROUPE_FAILPOINTS_SEED on first use. Every case forks;
// the parent never touches the registry, so each child starts as a fresh
// process would (environment not read yet).
#ifndef TROUPE_FAILPOINTS
#define TROUPE_FAILPOINTS 1
#endif
#include "troupe/failpoints/failpoints.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace fp = troupe::failpoints;
namespace utf = boost::unit_test;

namespace {

struct child_result {
  int exit_code = -1; ///< -1 when killed by a signal
  std::string err;    ///< everything the child wrote to stderr
};

/// Runs `body` in a forked child with stderr captured; the child exits with
/// what `body` returns unless a fail point ends it first.
template <class Body>
child_result run_child(Body body) {
  int fds[2];
  BOOST_REQUIRE_EQUAL(::pipe(fds), 0);
  pid_t pid = ::fork();
  BOOST_REQUIRE_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[1]);
    std::_Exit(body());
  }
  ::close(fds[1]);
  child_result r;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) != 0;)
    if (n > 0) r.err.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int wstatus = 0;
  BOOST_REQUIRE_EQUAL(::waitpid(pid, &wstatus, 0), pid);
  if (WIFEXITED(wstatus)) r.exit_code = WEXITSTATUS(wstatus);
  BOOST_TEST_MESSAGE("child exit " << r.exit_code << ", stderr: " << r.err);
  return r;
}

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stderr);
}

bool hit_crash() {
  return TROUPE_FAILPOINT("test.crash");
}
bool hit_env() {
  return TROUPE_FAILPOINT("test.env");
}

/// Sets both variables in a child (an empty value unsets).
void child_env(const char* config, const char* seed = "") {
  ::setenv("TROUPE_FAILPOINTS", config, 1);
  ::setenv("TROUPE_FAILPOINTS_SEED", seed, 1);
}

/// 64 decisions of test.env as '0'/'1' on stderr.
int print_draws() {
  std::string bits;
  for (int i = 0; i < 64; ++i)
    bits += hit_env() ? '1' : '0';
  say(bits);
  return 0;
}

/// Precondition of the cases that need the environment read: in a build
/// without fail points the library refuses it (tested below).
boost::test_tools::assertion_result library_has_failpoints(utf::test_unit_id) {
  return fp::enabled_in_build();
}

} // namespace

BOOST_AUTO_TEST_CASE(crash_exits_with_its_status_and_one_stderr_line) {
  auto r = run_child([] {
    child_env("");
    if (!fp::set("test.crash", "crash@after=2")) return 10;
    for (int i = 1; i <= 5; ++i) {
      say("before hit " + std::to_string(i));
      (void)hit_crash();
    }
    return 0;
  });
  BOOST_CHECK_EQUAL(r.exit_code, fp::crash_exit_code);
  BOOST_CHECK_EQUAL(r.err, "before hit 1\nbefore hit 2\nbefore hit 3\n"
                           "troupe: fail point test.crash crashed the "
                           "process (hit 3)\n");
}

BOOST_AUTO_TEST_CASE(env_configures_sites_on_first_use,
                     *utf::precondition(library_has_failpoints)) {
  auto r = run_child([] {
    child_env(" test.env = error@after=1 ; test.crash=off");
    bool first = hit_env();
    bool second = hit_env();
    return !first && second && fp::hits("test.crash") == 0 &&
               fp::current("test.crash").has_value()
             ? 0
             : 1;
  });
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  BOOST_CHECK_EQUAL(r.err, "");
}

BOOST_AUTO_TEST_CASE(bad_env_exits_2_naming_the_spec,
                     *utf::precondition(library_has_failpoints)) {
  auto r = run_child([] {
    child_env("test.env=explode");
    (void)hit_env();
    return 0;
  });
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_EQUAL(r.err, "troupe: TROUPE_FAILPOINTS: fail point "
                           "'test.env': bad fail-point spec 'explode': "
                           "unknown action 'explode'; expected off, crash, "
                           "error or delay(MS)\n");
}

BOOST_AUTO_TEST_CASE(env_with_unknown_name_exits_2_on_first_api_call,
                     *utf::precondition(library_has_failpoints)) {
  auto r = run_child([] {
    child_env("test.evn=error");
    (void)fp::set("test.crash", "off");
    return 0;
  });
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK(r.err.find("unknown fail point 'test.evn'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(explicit_load_from_env_returns_the_failure) {
  auto r = run_child([] {
    child_env("test.env=error@p=2");
    auto st = fp::load_from_env();
    if (st) return 1;
    say(st.reason());
    // The failed load configured nothing and sites stay quiet.
    return hit_env() || fp::hits("test.env") != 0 ? 3 : 0;
  });
  BOOST_CHECK_EQUAL(r.exit_code, 0);
  auto expected = fp::enabled_in_build()
                    ? "fail point 'test.env': bad fail-point spec "
                      "'error@p=2': p must be a decimal number in (0, 1], "
                      "got '2'\n"
                    : "fail points are compiled out of this build "
                      "(configure with -DTROUPE_FAILPOINTS=ON)\n";
  BOOST_CHECK_EQUAL(r.err, expected);
}

BOOST_AUTO_TEST_CASE(env_seed_replays_probabilistic_runs,
                     *utf::precondition(library_has_failpoints)) {
  auto with_seed = [](const char* seed) {
    return run_child([seed] {
      child_env("test.env=error@p=0.5", seed);
      return print_draws();
    });
  };
  auto a = with_seed("7");
  auto b = with_seed("7");
  auto c = with_seed("8");
  BOOST_CHECK_EQUAL(a.exit_code, 0);
  BOOST_CHECK_EQUAL(a.err.size(), 65u);
  BOOST_CHECK_EQUAL(a.err, b.err);
  BOOST_CHECK_NE(a.err, c.err);
}

BOOST_AUTO_TEST_CASE(bad_seed_exits_2,
                     *utf::precondition(library_has_failpoints)) {
  auto r = run_child([] {
    child_env("test.env=error", "-1");
    (void)hit_env();
    return 0;
  });
  BOOST_CHECK_EQUAL(r.exit_code, 2);
  BOOST_CHECK_EQUAL(r.err, "troupe: TROUPE_FAILPOINTS: "
                           "TROUPE_FAILPOINTS_SEED: '-1' is not an unsigned "
                           "64-bit integer\n");
}
