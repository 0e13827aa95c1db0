// incident list | show | ack | confirm | false-positive | resolve | note.
#include <iostream>

#include "incidents/incident_service.h"
#include "app/commands/common.h"
#include "app/json_views.h"
#include "tokens/registry.h"

namespace ht::app {
namespace {

// ---- list ----
struct ListArgs {
  std::string out, state, token;
  int limit = 1000;
};

void listIncidents(CommandEnv& env, const ListArgs& args) {
  incidents::IncidentFilter filter;
  filter.limit = args.limit;
  if (!args.state.empty()) {
    filter.state = incidents::parseIncidentState(args.state);
    if (!filter.state) check(Status::invalidArgument("unknown incident state " + args.state));
  }
  if (!args.token.empty()) filter.token_id = unwrap(env.ctx().registry().find(args.token)).id;
  auto list = unwrap(env.ctx().store().listIncidents(filter));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    for (const auto& i : list) std::cout << incidentToJson(i).dump() << "\n";
    return;
  }
  Table t({"ID", "STATE", "SEVERITY", "TRIGGERS", "FIRST SEEN", "LAST SEEN", "TITLE"});
  for (const auto& i : list) {
    t.add({i.id, incidents::incidentStateName(i.state), severityName(i.severity),
           std::to_string(i.trigger_count), formatTime(i.first_seen), formatTime(i.last_seen),
           i.title});
  }
  std::cout << (t.empty() ? "no incidents\n" : t.render());
}

void addList(CLI::App& incident, CommandEnv& env) {
  auto args = std::make_shared<ListArgs>();
  auto* cmd = incident.add_subcommand("list", "Incidents, most recent activity first");
  cmd->add_option("--state", args->state, "Only in this state")
      ->check(CLI::IsMember({"open", "acknowledged", "confirmed", "false-positive", "resolved"}));
  cmd->add_option("--token", args->token, "Only this token's");
  cmd->add_option("--limit", args->limit, "How many")->check(CLI::Range(1, 1000000));
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { listIncidents(env, *args); });
}

// ---- show ----
struct ShowArgs {
  std::string id, out;
};

void printIncident(const incidents::IncidentDetail& d) {
  const incidents::Incident& inc = d.incident;
  std::cout << "incident     " << inc.id << "  (" << incidents::incidentStateName(inc.state) << ", "
            << severityName(inc.severity) << ")\n"
            << "title        " << inc.title << "\n"
            << "token        " << d.token.id << "  " << d.token.key_id
            << (d.token.label.empty() ? "" : "  " + d.token.label) << "\n"
            << "seen         " << formatTime(inc.first_seen) << " .. " << formatTime(inc.last_seen)
            << "  (" << inc.trigger_count << " trigger(s))\n";
  std::cout << "\nmay be compromised (placements and every hop of custody)\n";
  Table pt({"HOST", "LOCATION", "KIND", "OWNER"});
  for (const auto& p : d.placements) pt.add({p.host, p.location, p.kind, p.owner});
  std::cout << (pt.empty() ? "  (no placement recorded)\n" : pt.render());
  Table ct({"AT", "HOLDER", "METHOD", "NOTES"});
  for (const auto& h : d.custody) ct.add({formatTime(h.at), h.holder, h.method, h.notes});
  std::cout << (ct.empty() ? "  (no custody recorded)\n" : ct.render());
  std::cout << "\ntimeline\n";
  Table tt({"AT", "KIND", "ACTOR", "WHAT"});
  for (const auto& entry : d.timeline) {
    const incidents::IncidentEvent& e = entry.event;
    tt.add({formatTime(e.at), incidents::timelineKindName(e.kind), e.actor, e.text});
  }
  std::cout << tt.render();
}

void incidentShow(CommandEnv& env, const ShowArgs& args) {
  incidents::IncidentDetail detail = unwrap(incidents::showIncident(env.ctx().store(), env.ctx().store(), args.id));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << incidentDetailToJson(detail).dump() << "\n";
  } else {
    printIncident(detail);
  }
}

void addShow(CLI::App& incident, CommandEnv& env) {
  auto args = std::make_shared<ShowArgs>();
  auto* cmd = incident.add_subcommand(
      "show", "One incident: the token, everywhere it has been, and the timeline");
  cmd->add_option("ID", args->id, "Incident ID")->required();
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { incidentShow(env, *args); });
}

// ---- state changes: ack, confirm, false-positive, resolve; each with an optional note ----
struct StateArgs {
  std::string id, note, out;
};

void setState(CommandEnv& env, incidents::IncidentState state, const StateArgs& args) {
  incidents::Incident inc =
      unwrap(env.ctx().incidents().setState(args.id, state, tokens::currentActor(), args.note));
  if (parseOutput(args.out) == OutputFormat::kJson) {
    std::cout << incidentToJson(inc).dump() << "\n";
  } else {
    std::cout << inc.id << " is now " << incidents::incidentStateName(inc.state) << "\n";
  }
}

void addStateCommands(CLI::App& incident, CommandEnv& env) {
  struct StateCommand {
    const char* name;
    incidents::IncidentState state;
    const char* help;
  };
  static const StateCommand kStateCommands[] = {
      {"ack", incidents::IncidentState::kAcknowledged, "Acknowledge: someone is looking at it"},
      {"confirm", incidents::IncidentState::kConfirmed, "Confirm: a real compromise"},
      {"false-positive", incidents::IncidentState::kFalsePositive,
       "Mark as a false positive (a colleague, a test)"},
      {"resolve", incidents::IncidentState::kResolved, "Resolve: handled and closed"},
  };
  for (const auto& sc : kStateCommands) {
    auto args = std::make_shared<StateArgs>();
    auto* cmd = incident.add_subcommand(sc.name, sc.help);
    cmd->add_option("ID", args->id, "Incident ID")->required();
    cmd->add_option("--note", args->note, "A note for the timeline");
    addOutputOption(cmd, &args->out);
    incidents::IncidentState state = sc.state;
    cmd->callback([&env, state, args] { setState(env, state, *args); });
  }
}

// ---- note ----
struct NoteArgs {
  std::string id, text;
};

void addNote(CLI::App& incident, CommandEnv& env) {
  auto args = std::make_shared<NoteArgs>();
  auto* cmd = incident.add_subcommand("note", "Add a note to the timeline");
  cmd->add_option("ID", args->id, "Incident ID")->required();
  cmd->add_option("TEXT", args->text, "The note")->required();
  cmd->callback([&env, args] {
    check(env.ctx().incidents().addNote(args->id, tokens::currentActor(), args->text));
    std::cout << "noted\n";
  });
}

}  // namespace

void addIncidentCommands(CLI::App& app, CommandEnv& env) {
  auto* incident = app.add_subcommand("incident", "Incidents: grouped triggers of a token");
  incident->require_subcommand(1);
  addList(*incident, env);
  addShow(*incident, env);
  addStateCommands(*incident, env);
  addNote(*incident, env);
}

}  // namespace ht::app
