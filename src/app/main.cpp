#include "app/cli.h"

int main(int argc, char** argv) { return ht::app::runCli(argc, argv); }
