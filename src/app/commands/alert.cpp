// alert list | flush | test | approve | reject: the outbox, tests of a route, and approval of
// response actions.
#include <iostream>

#include "alert/approvals.h"
#include "alert/test_alert.h"
#include "app/commands/common.h"
#include "app/json_views.h"
#include "core/files.h"
#include "tokens/registry.h"

namespace ht::app {
namespace {

// ---- list ----
struct ListArgs {
  std::string state, incident, out;
};

void listOutbox(CommandEnv& env, const ListArgs& args) {
  std::optional<incidents::OutboxState> state;
  if (!args.state.empty()) {
    state = incidents::parseOutboxState(args.state);
    if (!state) check(Status::invalidArgument("unknown outbox state " + args.state));
  }
  store::Store& store = env.ctx().store();
  auto items = args.incident.empty() ? unwrap(store.listOutbox(state))
                                     : unwrap(store.incidentOutbox(args.incident));
  if (state) std::erase_if(items, [&](const incidents::OutboxItem& o) { return o.state != *state; });
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& o : items) std::cout << outboxItemToJson(o).dump() << "\n";
    return;
  }
  Table t({"ID", "INCIDENT", "OUTPUT", "KIND", "ROUTE", "STATE", "ATTEMPTS", "WHEN", "ERROR"});
  for (const auto& o : items) {
    std::string when = o.sent_at ? formatTime(*o.sent_at) : formatTime(o.next_attempt_at);
    t.add({std::to_string(o.id), o.incident_id, o.output, incidents::announcementKindName(o.kind),
           o.route, incidents::outboxStateName(o.state), std::to_string(o.attempts), when,
           o.last_error});
  }
  std::cout << (t.empty() ? "the outbox is empty\n" : t.render());
}

void addList(CLI::App& alert_cmd, CommandEnv& env) {
  auto args = std::make_shared<ListArgs>();
  auto* cmd = alert_cmd.add_subcommand("list", "Notifications and actions in the outbox");
  cmd->add_option("--state", args->state, "Only in this state")
      ->check(CLI::IsMember({"pending", "sent", "dead", "approval", "dry-run", "rejected"}));
  cmd->add_option("--incident", args->incident, "Only this incident's");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { listOutbox(env, *args); });
}

// ---- flush ----
void addFlush(CLI::App& alert_cmd, CommandEnv& env) {
  auto wait = std::make_shared<int>(60);
  auto* cmd = alert_cmd.add_subcommand(
      "flush", "Deliver what is waiting in the outbox now (retries that fall due are waited for)");
  cmd->add_option("--wait", *wait, "Seconds to keep retrying (default 60)")
      ->check(CLI::Range(0, 86400));
  cmd->callback([&env, wait] {
    alert::Delivery* delivery = unwrap(env.ctx().delivery());
    printDrain("alert flush", unwrap(delivery->drain(std::chrono::seconds(*wait))));
  });
}

// ---- test ----
void testRoute(CommandEnv& env, const std::string& route) {
  Context& c = env.ctx();
  alert::TestAlertReport report = unwrap(alert::sendTestAlert(
      c.config().alerts, route, config::processEnv(), SystemClock::instance(), hostName()));
  for (const auto& d : report.deliveries) {
    switch (d.outcome) {
      case alert::TestOutcome::kSent:
        std::cout << d.output << ": sent" << (d.detail.empty() ? "" : " (" + d.detail + ")")
                  << "\n";
        break;
      case alert::TestOutcome::kSkipped:
        std::cout << d.output << ": skipped (" << d.detail << ")\n";
        break;
      case alert::TestOutcome::kFailed:
        std::cout << d.output << ": FAILED: " << d.detail << "\n";
        break;
    }
  }
  check(report.stopped);
  if (report.actions_not_run > 0) {
    std::cout << "actions are not run by a test (" << report.actions_not_run << " on this route)\n";
  }
  if (report.failed() > 0) {
    check(Status::ioError(std::to_string(report.failed()) + " output(s) failed"));
  }
}

void addTest(CLI::App& alert_cmd, CommandEnv& env) {
  auto route = std::make_shared<std::string>();
  auto* cmd = alert_cmd.add_subcommand(
      "test", "Send a clearly marked test message through a route's outputs, now");
  cmd->add_option("--route", *route, "The route (alerts.routes.NAME)")->required();
  cmd->callback([&env, route] { testRoute(env, *route); });
}

// ---- approve, reject ----
struct DecideArgs {
  int64_t id = 0;
  std::string note;
  bool no_run = false;
};

incidents::OutboxItem decide(CommandEnv& env, const DecideArgs& args, bool approve) {
  incidents::OutboxItem item =
      unwrap(alert::decideAction(env.ctx().store(), SystemClock::instance(), args.id, approve,
                                 tokens::currentActor(), args.note));
  std::cout << (approve ? "approved " : "rejected ") << alert::actionName(item) << " for "
            << item.incident_id << "\n";
  return item;
}

// Runs what was approved now, as `alert flush` would, and shows what the action answered.
void approve(CommandEnv& env, const DecideArgs& args) {
  decide(env, args, true);
  if (args.no_run) return;
  alert::Delivery* delivery = unwrap(env.ctx().delivery());
  printDrain("alert approve", unwrap(delivery->drain(std::chrono::seconds(0))));
  auto after = unwrap(env.ctx().store().getOutboxItem(args.id));
  if (after && !after->result.empty()) std::cout << after->result;
  if (after && after->state == incidents::OutboxState::kDead) {
    check(Status::ioError("action " + std::to_string(args.id) + " failed: " + after->last_error));
  }
}

void addDecisions(CLI::App& alert_cmd, CommandEnv& env) {
  auto approve_args = std::make_shared<DecideArgs>();
  auto* approve_cmd =
      alert_cmd.add_subcommand("approve", "Approve a response action that waits for approval");
  approve_cmd->add_option("ID", approve_args->id, "Outbox ID (honeytrail alert list)")->required();
  approve_cmd->add_option("--note", approve_args->note, "Why, for the timeline");
  approve_cmd->add_flag("--no-run", approve_args->no_run,
                        "Only approve; serve or alert flush runs it");
  approve_cmd->callback([&env, approve_args] { approve(env, *approve_args); });

  auto reject_args = std::make_shared<DecideArgs>();
  auto* reject_cmd = alert_cmd.add_subcommand("reject", "Reject a response action");
  reject_cmd->add_option("ID", reject_args->id, "Outbox ID")->required();
  reject_cmd->add_option("--note", reject_args->note, "Why, for the timeline");
  reject_cmd->callback([&env, reject_args] { decide(env, *reject_args, false); });
}

}  // namespace

void addAlertCommands(CLI::App& app, CommandEnv& env) {
  auto* alert_cmd = app.add_subcommand("alert", "Alert delivery: the outbox, tests, approvals");
  alert_cmd->require_subcommand(1);
  addList(*alert_cmd, env);
  addFlush(*alert_cmd, env);
  addTest(*alert_cmd, env);
  addDecisions(*alert_cmd, env);
}

}  // namespace ht::app
