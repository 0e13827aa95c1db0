// ingest, hunt: reading CloudTrail archives for the tokens' uses (ingest stores and announces
// them through the detection pipeline; hunt only reports).
#include <unistd.h>

#include <iostream>
#include <thread>

#include "app/commands/common.h"
#include "app/json_views.h"
#include "aws/key_id.h"
#include "core/log.h"
#include "ingest/reader.h"
#include "live/pipeline.h"

namespace ht::app {
namespace {

int defaultThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void printInputProblem(const ingest::InputProblem& p) {
  std::cerr << "honeytrail: bad input: " << p.source << " at byte " << p.offset << ": " << p.kind
            << ": " << log::redactSecrets(p.message) << "\n";
}

// ---- ingest ----
struct IngestArgs {
  std::vector<std::string> paths;
  std::string out;
  int threads = 0;
};

void printTrigger(const detect::TriggerRecord& t, const std::string& key_id, bool as_json) {
  if (as_json) {
    std::cout << triggerToJson(t, key_id).dump() << std::endl;
  } else {
    std::cout << detect::triggerClassName(t.trigger_class) << " " << key_id << " " << t.event_name
              << " " << t.event_source << " from " << t.source_ip << " (" << t.client << ", "
              << t.intent << ") event " << t.event_id << std::endl;
  }
}

void ingest(CommandEnv& env, const IngestArgs& args) {
  Context& c = env.ctx();
  alert::Delivery* delivery = routedDelivery(c);
  live::Pipeline* pipeline = unwrap(c.pipeline());
  detect::ScanOptions options;
  options.threads = args.threads > 0 ? args.threads : defaultThreads();
  options.validate_all = true;
  const bool as_json = parseOutput(args.out) == OutputFormat::kJson;
  live::BatchResult batch = unwrap(pipeline->ingestFiles(
      unwrap(ingest::expandPaths(args.paths)), options,
      [&](const detect::TriggerRecord& t, const std::string& key_id) {
        printTrigger(t, key_id, as_json);
      },
      printInputProblem));
  const detect::ScanSummary& summary = batch.scan;
  std::cerr << "ingest: " << summary.files << " file(s), " << summary.records << " record(s), "
            << summary.matched_events << " matching event(s), " << batch.new_triggers
            << " new trigger(s), " << batch.incidents_opened << " new incident(s), "
            << summary.duplicates << " duplicate(s), " << summary.problems << " problem(s)\n";
  deliverCaused(c, delivery, "ingest");
}

void addIngest(CLI::App& app, CommandEnv& env) {
  auto args = std::make_shared<IngestArgs>();
  auto* cmd =
      app.add_subcommand("ingest", "Read CloudTrail files once and store the triggers they hold");
  cmd->add_option("PATH", args->paths,
                  "Files, directories (recursive), globs; - for standard input")
      ->required();
  cmd->add_option("--threads", args->threads, "Worker threads (default: every core)");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { ingest(env, *args); });
}

// ---- hunt ----
struct HuntArgs {
  std::vector<std::string> paths, keys;
  std::string out;
  int threads = 0;
};

// The registry's tokens, or the key IDs given on the command line, each standing for a token of
// its own (a key the registry never held: one found in a leak, another team's canary).
detect::TokenIndex huntIndex(CommandEnv& env, const std::vector<std::string>& keys) {
  detect::TokenIndex index;
  if (keys.empty()) {
    for (auto& t : unwrap(env.ctx().registry().list({}))) index.add(t);
    return index;
  }
  for (const auto& k : keys) {
    aws::KeyIdInfo info = aws::inspectKeyId(k);
    if (!info.valid_format && !aws::isIdShaped(k)) {
      check(Status::invalidArgument("--key-id '" + k + "': " + info.format_error));
    }
    tokens::Token t;
    t.id = k;
    t.key_id = k;
    t.account_id = info.account_id.value_or("");
    index.add(std::move(t));
  }
  return index;
}

void printFound(const detect::FoundEvent& f, bool as_json) {
  if (as_json) {
    std::cout << foundEventToJson(f).dump() << "\n";
    return;
  }
  for (const auto& m : f.matches) {
    std::cout << f.event.event_time << "  " << detect::triggerClassName(m.trigger_class) << "  "
              << m.token->key_id << "  " << f.event.event_source << ":" << f.event.event_name
              << "  " << f.event.source_ip << "  " << f.classification.client << "  " << f.source
              << "#" << f.index << "\n";
  }
}

// A progress line on standard error as each file is done (for a terminal).
void showProgress(size_t done, size_t total, uint64_t bytes) {
  std::cerr << "\r" << done << "/" << total << " files, " << bytes / 1000000 << " MB" << std::flush;
  if (done == total) std::cerr << "\n";
}

void hunt(CommandEnv& env, const HuntArgs& args) {
  detect::TokenIndex index = huntIndex(env, args.keys);
  detect::ScanOptions options;
  options.threads = args.threads > 0 ? args.threads : defaultThreads();
  if (::isatty(2) != 0) options.on_file_done = showProgress;
  std::vector<std::string> files = unwrap(ingest::expandPaths(args.paths));
  const bool as_json = parseOutput(args.out) == OutputFormat::kJson;
  detect::Scanner scanner(index);
  detect::ScanSummary summary;
  check(scanner.scan(
      files, options, [&](detect::FoundEvent&& f) { printFound(f, as_json); }, printInputProblem,
      &summary));
  std::cerr << "hunt: " << summary.files << " file(s) (" << summary.files_skipped
            << " mention no token), " << summary.bytes_decompressed / 1000000 << " MB of JSON, "
            << summary.records << " record(s) read, " << summary.candidates << " candidate(s), "
            << summary.matched_events << " matching event(s), " << summary.duplicates
            << " duplicate(s), " << summary.problems << " problem(s)\n";
}

void addHunt(CLI::App& app, CommandEnv& env) {
  auto args = std::make_shared<HuntArgs>();
  auto* cmd =
      app.add_subcommand("hunt", "Search an archive for every use of the tokens (stores nothing)");
  cmd->add_option("PATH", args->paths, "Files, directories (recursive), globs")->required();
  cmd->add_option("--key-id", args->keys,
                  "Hunt for these keys instead of the registry's (repeatable)");
  cmd->add_option("--threads", args->threads, "Worker threads (default: every core)");
  addOutputOption(cmd, &args->out);
  cmd->callback([&env, args] { hunt(env, *args); });
}

}  // namespace

void addDetectCommands(CLI::App& app, CommandEnv& env) {
  addIngest(app, env);
  addHunt(app, env);
}

}  // namespace ht::app
