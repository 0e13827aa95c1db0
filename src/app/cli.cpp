#include "app/cli.h"

namespace ht::app {
int runCli(int, char**) { return 0; }
}  // namespace ht::app
