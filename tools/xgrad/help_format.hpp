// How xgrad's --help reads: "usage: xgrad COMMAND [flags]", the description, then each
// group of flags ("Data", "Model", ...) with its help text wrapped to 80 columns.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

namespace xgrad::cli {

class HelpFormatter : public CLI::Formatter {
 public:
  // The usage line (the command's name path, then "COMMAND" if it has subcommands, then
  // "[flags]"), the description (wrapped, unless it holds line breaks: then as written),
  // the groups of flags, the footer.
  std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;
  // "  --flag VALUE" padded to column 24, then the help text wrapped to 80 columns.
  std::string make_option(const CLI::Option* option, bool is_positional) const override;

 private:
  // Each group's title, then its flags, in the order the groups were declared.
  std::string flag_groups(const CLI::App* app) const;
};

// The formatter to give the top-level CLI::App; its commands inherit it.
std::shared_ptr<HelpFormatter> help_formatter();

}  // namespace xgrad::cli
