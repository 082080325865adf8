// The xgrad subcommands. Each takes the words after its name, prints to stdout and returns
// the exit status (0 success, 1 a failed run or check). Bad flags and bad input throw
// InputError, a failure while running throws RunError; main turns both into one
// "xgrad: error: ..." line on stderr and exit status 2 or 1.
#pragma once

#include <string>
#include <vector>

namespace xgrad::cli {

int train_command(const std::vector<std::string>& words);
int gradcheck_command(const std::vector<std::string>& words);
int experiments_command(const std::vector<std::string>& words);

}  // namespace xgrad::cli
