#include "troupe/actors/type_ids.hpp"

#include <string>

#include <caf/deep_to_string.hpp>
#include <caf/message.hpp>

#include "troupe/actors/errc.hpp"

namespace troupe::actors {

namespace {

/// Renders "supervisor: restart_limit_exceeded (context...)". CAF 0.17.6's
/// templated `add_error_category<T>(atom)` does not compile (its renderer
/// has the wrong signature), hence a hand-written one.
std::string render_supervisor_error(std::uint8_t code, caf::atom_value,
                                    const caf::message& context) {
  auto result = "supervisor: " + to_string(static_cast<supervisor_errc>(code));
  if (!context.empty()) result += " " + caf::deep_to_string(context);
  return result;
}

std::string render_troupe_error(std::uint8_t code, caf::atom_value,
                                const caf::message& context) {
  return describe(caf::error{code, errc_category, context});
}

} // namespace

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::troupe_actors>();
  cfg.add_error_category(caf::atom("supervisor"), render_supervisor_error);
  cfg.add_error_category(errc_category, render_troupe_error);
}

} // namespace troupe::actors
