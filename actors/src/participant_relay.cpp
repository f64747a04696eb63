// A participant's relay on another node (participant.hpp).
#include <caf/all.hpp>

#include "troupe/actors/participant.hpp"
#include "troupe/actors/pass_on.hpp"

namespace troupe::actors {

namespace {

struct relay_state {
  std::shared_ptr<open_calls> open = std::make_shared<open_calls>();
  static inline const char* name = "troupe.participant_relay";
};

using relay_actor = participant_actor::stateful_pointer<relay_state>;

participant_actor::behavior_type
relay(relay_actor self, participant_actor target, caf::actor owner) {
  self->monitor(target);
  self->monitor(owner);
  // Either one down ends the relay, and with it what it passed on: whoever
  // holds the relay sees it go down as it would have seen the participant.
  self->set_down_handler([=](caf::down_msg& msg) {
    self->state.open->fail_all(make_error(caf::sec::request_receiver_down));
    self->quit(msg.reason ? msg.reason
                          : make_error(caf::exit_reason::user_shutdown));
  });
  auto open = self->state.open;
  return {
    [=](read_request& r) {
      return pass_on<read_reply>(self, open, target, std::move(r));
    },
    [=](scan_request& r) {
      return pass_on<scan_reply>(self, open, target, std::move(r));
    },
    [=](prepare_request& r) {
      return pass_on<vote>(self, open, target, std::move(r));
    },
    [=](commit_request& r) {
      return pass_on<ack>(self, open, target, std::move(r));
    },
    [=](abort_request& r) {
      return pass_on<ack>(self, open, target, std::move(r));
    },
    [=](one_phase_request& r) {
      return pass_on<vote>(self, open, target, std::move(r));
    },
    [=](validate_request& r) {
      return pass_on<vote>(self, open, target, std::move(r));
    },
    [=](outcome_request& r) {
      return pass_on<txn_outcome>(self, open, target, std::move(r));
    },
    [=](precommit_request& r) {
      return pass_on<ack>(self, open, target, std::move(r));
    },
  };
}

} // namespace

participant_actor spawn_participant_relay(caf::actor_system& sys,
                                          participant_actor target,
                                          caf::actor owner) {
  return sys.spawn(relay, std::move(target), std::move(owner));
}

} // namespace troupe::actors
