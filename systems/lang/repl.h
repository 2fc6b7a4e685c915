// The Lox REPL (`sfs lang repl`).
#pragma once

#include "systems/lang/lang.h"

namespace sfs::lang {

// Reads statements from the terminal (or standard input) and runs each as it is complete; returns
// the process exit code. Globals persist between entries.
int run_repl(const Options& options);

}  // namespace sfs::lang
