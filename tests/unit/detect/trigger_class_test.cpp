// The trigger class's text is what the database, JSON and config hold: every value must survive
// name -> parse, and other text must not parse (a stored row with it is a corruption error).
#include "detect/trigger_class.h"

#include <gtest/gtest.h>

namespace ht::detect {
namespace {

TEST(TriggerClassTest, NameAndParseRoundTripEveryValue) {
  const std::pair<TriggerClass, const char*> kAll[] = {{TriggerClass::kUsed, "used"},
                                                       {TriggerClass::kSessionUsed, "session-used"},
                                                       {TriggerClass::kTouched, "touched"},
                                                       {TriggerClass::kExposed, "exposed"}};
  for (const auto& [c, text] : kAll) {
    EXPECT_STREQ(triggerClassName(c), text);
    EXPECT_EQ(parseTriggerClass(text), c) << text;
  }
}

TEST(TriggerClassTest, ParseRejectsUnknownText) {
  for (const char* text : {"", "Used", "use", "session_used", "used ", "unknown"}) {
    EXPECT_EQ(parseTriggerClass(text), std::nullopt) << text;
  }
}

}  // namespace
}  // namespace ht::detect
