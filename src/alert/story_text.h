// The story as text: storyText() for people (the email body), and in detail:: the pieces every
// output's renderer shares, kept once so that each output cleans attacker text, cuts to its
// service's limits and words the story the same way. The detail part is internal to src/alert;
// tests reach it through the outputs' payload functions.
#pragma once

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alert/story.h"
#include "core/clock.h"

namespace ht::alert {

// Plain text for people (the email body, `incident show`): the whole story in sections.
std::string storyText(const Story& story);

namespace detail {

// Appended whenever text is cut, so that a reader never mistakes a shortened value for the whole.
constexpr std::string_view kTruncated = " (truncated)";

// How much of a story an output carries. Chat messages must stay readable (and Teams rejects
// cards above about 28 KB), a ticket or an email can say more; the generic webhook says it all.
struct Caps {
  size_t items;    // entries per list (placements, hops, calls, callers)
  size_t text;     // one attacker-controlled value (user agents run to kilobytes)
  size_t line;     // one list entry
  size_t runbook;  // the runbook as a whole
};
constexpr Caps kChatCaps{20, 200, 600, 6000};
constexpr Caps kTicketCaps{50, 500, 1500, 10000};
constexpr Caps kTextCaps{100, 500, 1500, 20000};

// --- UTF-8 and cutting ----------------------------------------------------------------------

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one (overlong forms,
// surrogates and values past U+10FFFF included).
size_t sequenceLength(std::string_view s, size_t i);
// Attacker text arrives as raw bytes; nlohmann::json refuses to serialise invalid UTF-8 and the
// services reject it, so every string is made well-formed (U+FFFD for bad bytes) up front.
std::string validUtf8(std::string_view s);
// Characters (code points) of well-formed UTF-8: what the services mean by "characters".
size_t charCount(std::string_view s);
// The first `keep` characters: a cut on a character boundary, never inside a sequence.
std::string prefixChars(std::string_view s, size_t keep);
// At most max characters, the marker included when cutting.
std::string truncateChars(std::string_view s, size_t max);
// Like truncateChars for backslash-escaped markup (Teams Markdown, Jira wiki): a cut must not
// strand an escaping backslash, which would then escape the marker's space instead.
std::string truncateEscaped(std::string_view s, size_t max);
// One line: control characters, and the Unicode line and paragraph separators and NEL that some
// renderers break on, become spaces. Attacker text never gets to start a new line (a new email
// header, a new syslog record, a new Markdown block).
std::string oneLine(std::string_view s);
// An attacker-controlled value as one bounded line.
std::string untrusted(std::string_view s, size_t max);
// Lines without their CR or LF; a last line without a newline is kept.
std::vector<std::string> splitLines(std::string_view s);

// --- runbook Markdown -----------------------------------------------------------------------

const std::regex& boldRe();  // **bold**
const std::regex& linkRe();  // [text](url)
// Heading level of a Markdown "## Title" line (0 when it is not one), and the title.
size_t headingLevel(const std::string& line, std::string* title);
bool isBullet(const std::string& line);

// --- the story as plain lines ---------------------------------------------------------------

bool isTest(const Story& s);
bool isSet(TimePoint t);
std::string timeText(TimePoint t);  // "unknown" when not set
// The story's trigger class as text, "" when unset.
std::string triggerClassText(const Story& s);
// Every string of the story as well-formed UTF-8.
Story sanitized(const Story& in);
// The one-line title every output leads with: TEST and escalations say so first.
std::string title(const Story& s);
// The token's tags as "k=v, k=v".
std::string tagsText(const Story& s);
// "s3.amazonaws.com" + "ListBuckets" → "s3:ListBuckets", the IAM action a responder would grep.
std::string callName(const StoryCall& c);
// One line per entry, each list capped, saying how many entries were left out.
std::vector<std::string> placementLines(const Story& s, const Caps& caps);
std::vector<std::string> custodyLines(const Story& s, const Caps& caps);
std::vector<std::string> callLines(const Story& s, const Caps& caps);
std::vector<std::string> callerLines(const Story& s, const Caps& caps);
// Label/value pairs for fact lists and field grids (empty values left out).
std::vector<std::pair<std::string, std::string>> summaryFacts(const Story& s, bool with_token);

constexpr std::string_view kPlacementsIntro =
    "Every place below held a copy of the key: treat each as compromised.";

// A JSON body as stored in the outbox: compact, with any invalid UTF-8 replaced rather than
// thrown on.
std::string dumpJson(const nlohmann::json& j);

}  // namespace detail
}  // namespace ht::alert
