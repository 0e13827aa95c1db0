// The plain-text story for people, with every section in order.
#include "alert/story_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/strings.h"
#include "support/test_support.h"
#include "unit/alert/outputs/fixtures.h"

namespace ht::alert {
namespace {

using fixtures::kLink;
using fixtures::makeStory;

TEST(PayloadStoryText, HasEverySectionInOrder) {
  const std::string t = storyText(makeStory());
  const std::vector<std::string> order = {
      "Honey key AKIA2E0A8F3B244C9986 used from 203.0.113.9 (aws-cli)\n",
      "Severity: critical\n",
      "Key ID: AKIA2E0A8F3B244C9986\n",
      "Tags: honeytrail=token, team=ops\n",
      "Link: " + kLink + "\n",
      "Where it lives\nEvery place below held a copy of the key",
      "  - placed on web-01 in /home/deploy/.aws/credentials (aws-credentials-file), owner ops\n",
      "Chain of custody\n",
      "What the attacker did\n",
      "  - iam:ListUsers ×2 in us-east-1 → AccessDenied (2026-11-28T15:44:52Z)\n",
      "Who called\n",
      "  - 203.0.113.9 (7 calls), client aws-cli, country DE, AS64500 Example Hosting GmbH, not "
      "Tor, user agent \"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12\"\n",
      "Runbook\n## Respond\n"};
  size_t at = 0;
  for (const std::string& want : order) {
    const size_t found = t.find(want, at);
    ASSERT_NE(found, std::string::npos) << want << "\n---\n" << t;
    at = found + want.size();
  }
  Story test = makeStory();
  test.test = true;
  EXPECT_TRUE(startsWith(storyText(test), "TEST ALERT"));
}

}  // namespace
}  // namespace ht::alert
