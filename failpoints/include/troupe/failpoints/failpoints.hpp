#pragma once

// Named fail points: places in the code where a test makes the process
// crash, fail or stall on purpose. Reference: docs/failpoints.md.
//
//   if (TROUPE_FAILPOINT("shard.before_apply_commit"))
//     return make_error(errc::injected_fault);   // the site's own error
//
// Configured by `TROUPE_FAILPOINTS="name=spec;..."` (read once, on first
// use) or by `set()` in tests. Without the compile definition
// `TROUPE_FAILPOINTS` (Release builds) every site is the constant `false`.

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/failpoints/spec.hpp"

namespace troupe::failpoints {

/// True when this translation unit was compiled with fail points in
/// (`TROUPE_FAILPOINTS` defined); its sites then do something.
#ifdef TROUPE_FAILPOINTS
constexpr bool compiled_in = true;
#else
constexpr bool compiled_in = false;
#endif

/// True when the library (and so the whole build) was configured with
/// `-DTROUPE_FAILPOINTS=ON`. In other builds `load_from_env()` refuses a
/// non-empty `TROUPE_FAILPOINTS` rather than ignore it.
[[nodiscard]] bool enabled_in_build() noexcept;

/// Configures the fail point `name` with `spec_text` (see `parse_spec`),
/// replacing its previous spec and resetting its `hits` and `fired` to 0.
/// Fails, changing nothing, when the spec is malformed or no site of that
/// name is compiled into this program (so a typo cannot go unnoticed).
/// Thread-safe; a site on another thread sees the change at the latest
/// after it synchronizes with the caller (a message, a join, a lock).
status set(std::string_view name, std::string_view spec_text);

/// Applies a whole `NAME=SPEC;...` string, all or nothing, as `set` would.
status configure(std::string_view config_text);

/// Turns `name` off entirely (sites stop counting); keeps its counters
/// readable until the next `set` or `clear_all`. Unknown names are ignored.
void clear(std::string_view name);

/// Clears every fail point and resets every counter (test fixtures).
void clear_all();

/// Seeds the probability draws of fail points configured from now on; each
/// point draws from its own stream derived from the seed and its name, so a
/// run replays with the same seed. The default seed is 0.
void set_seed(std::uint64_t seed);

/// Reads `TROUPE_FAILPOINTS_SEED` (decimal) and `TROUPE_FAILPOINTS` now and
/// applies them, all or nothing; unset or empty variables change nothing.
/// Fails on a malformed value or unknown name, and on any non-empty
/// `TROUPE_FAILPOINTS` in a build without fail points. The first site or
/// API call of a process does this implicitly and, on failure, prints
/// `troupe: TROUPE_FAILPOINTS: <reason>` to stderr and exits with status 2.
/// Calling it explicitly first (e.g. in `main`) returns the failure instead.
status load_from_env();

/// How often a site of `name` was reached while `name` was configured
/// (any action, `off` included) since its last `set`; 0 for unknown names.
[[nodiscard]] std::uint64_t hits(std::string_view name);

/// How often `name` fired (crashed, failed or delayed) since its last `set`.
[[nodiscard]] std::uint64_t fired(std::string_view name);

/// The spec `name` is configured with, if any.
[[nodiscard]] std::optional<spec> current(std::string_view name);

/// Every fail-point name with a site compiled into this program, sorted and
/// without duplicates. Sites register before `main` runs.
[[nodiscard]] std::vector<std::string> list();

namespace detail {

struct entry;

/// One use of `TROUPE_FAILPOINT` in the program; registers its name when
/// constructed (during static initialization).
struct site {
  explicit site(const char* name);
  entry* slot; ///< this name's state, owned by the registry, never freed
};

/// False when no fail point at all is configured and the environment has
/// been read; the only thing an idle site looks at.
extern std::atomic<bool> any_active;

/// The slow path of a site: counts the hit, draws, and crashes, sleeps or
/// returns whether to inject an error.
[[nodiscard]] bool evaluate(site& s, const char* name);

/// One site object per tag type, i.e. per `TROUPE_FAILPOINT` expansion.
/// A variable template: its dynamic initializer runs before `main`, which
/// is what puts every compiled-in name into `list()`.
template <class Tag>
inline site site_of{Tag::value()};

/// The body of `TROUPE_FAILPOINT`: `Tag::value()` is the site's name. The
/// fast path is the relaxed load alone; the slow path reads the
/// environment on first use and then the point's own state.
template <class Tag>
[[nodiscard]] inline bool check() {
  if (__builtin_expect(!any_active.load(std::memory_order_relaxed), 1))
    return false;
  return evaluate(site_of<Tag>, Tag::value());
}

/// Instantiating it with `false` fails the build: `sizeof` of it checks a
/// name at compile time without evaluating anything.
template <bool ValidName>
struct name_check {
  static_assert(ValidName, "fail-point names are dot-separated words of "
                           "[a-z0-9_], e.g. shard.after_prepare_durable");
};

} // namespace detail

} // namespace troupe::failpoints

#define TROUPE_FAILPOINT_NAME_CHECK_(name)                                     \
  static_cast<void>(sizeof(::troupe::failpoints::detail::name_check<           \
                           ::troupe::failpoints::is_valid_name(name)>))

#ifdef TROUPE_FAILPOINTS

/// `true` when the fail point `name` (a string literal) fires with `error`
/// here; `crash` and `delay` happen inside. With nothing configured this
/// costs one relaxed atomic load.
#define TROUPE_FAILPOINT(name)                                                 \
  ([]() -> bool {                                                              \
    TROUPE_FAILPOINT_NAME_CHECK_(name);                                        \
    struct troupe_failpoint_tag {                                              \
      static constexpr const char* value() { return name; }                    \
    };                                                                         \
    return ::troupe::failpoints::detail::check<troupe_failpoint_tag>();        \
  }())

#else

#define TROUPE_FAILPOINT(name) (TROUPE_FAILPOINT_NAME_CHECK_(name), false)

#endif

/// Calls `fn()` when `TROUPE_FAILPOINT(name)` is true. A statement. `fn` is
/// compiled in every build but can only run when fail points are compiled
/// in.
#define TROUPE_FAILPOINT_CALL(name, fn)                                        \
  do {                                                                         \
    if (TROUPE_FAILPOINT(name)) (fn)();                                        \
  } while (false)
